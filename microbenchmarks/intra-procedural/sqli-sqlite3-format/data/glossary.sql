CREATE TABLE IF NOT EXISTS terms (
    term TEXT PRIMARY KEY,
    definition TEXT NOT NULL
);
INSERT OR IGNORE INTO terms (term, definition) VALUES
    ('lambda', 'A function that runs on demand in AWS Lambda.'),
    ('bucket', 'A container for objects stored in Amazon S3.'),
    ('stage', 'A named deployment of a Serverless Framework service.');
