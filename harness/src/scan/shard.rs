//! `--shard K/N`: shard K (0-based, `0 <= K < N`, as Kubernetes'
//! `JOB_COMPLETION_INDEX` and `sbatch --array=0-(N-1)`) owns the
//! repositories whose name hashes (FNV-1a 64) to K modulo N. The slice
//! depends only on the repository name, so every machine computes the
//! same one, adding repositories does not move the others, and all apps
//! of a repository land in the same shard.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn owns(&self, repo: &str) -> bool {
        super::fnv1a(repo) % self.count == self.index
    }

    /// Output sub-folder of this shard: `shard-K-of-N`.
    pub fn folder(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("{s:?}: expected K/N (for example 0/4)"))?;
        let index: u64 = k.trim().parse().map_err(|_| format!("{s:?}: K is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| format!("{s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("{s:?}: need 0 <= K < N (shards are numbered from 0)"));
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_partition() {
        assert_eq!("1/4".parse::<Shard>().unwrap(), Shard { index: 1, count: 4 });
        assert!("4/4".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        let names: Vec<String> = (0..200).map(|i| format!("owner{i}_repo")).collect();
        let shards: Vec<Shard> = (0..3).map(|k| Shard { index: k, count: 3 }).collect();
        for n in &names {
            assert_eq!(shards.iter().filter(|s| s.owns(n)).count(), 1);
        }
        assert!(shards.iter().all(|s| names.iter().filter(|n| s.owns(n)).count() > 40));
    }
}
