use analyzer::analysis::{analyze, Options};
fn main() {
    let apps = [
        ("LCOGT_photonranch-status", "serverless.yml", 200),
        ("antessio_dynamoplus/serverless", "serverless.yml", 20),
        ("brazil-data-cube_cube-builder-aws/cube_builder_aws", "serverless.yml", 10),
        ("hprutvisagar_aws-pricing-tools", "serverless.yml", 30),
        ("labsyspharm_minerva-cloud/serverless/author", "serverless.yml", 200),
        ("aws-samples_serverless-patterns/s3-lambda-resizing-python", "template.yaml", 1000),
        ("malariagen_sims-backbone/serverless/location_service", "serverless.yml", 1000),
    ];
    for (dir, cfg, n) in apps {
        let dir = std::path::Path::new("/work/datasets/awsomepy").join(dir);
        let opts = Options { deployment_files: vec![dir.join(cfg)], ..Options::default() };
        let mut taint = Vec::new();
        for _ in 0..n {
            taint.push(analyze(&dir, &opts).unwrap().timings.taint_ms);
        }
        taint.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{:<40} min {:8.3} ms  median {:8.3} ms", dir.file_name().unwrap().to_string_lossy(), taint[0], taint[n / 2]);
    }
}
