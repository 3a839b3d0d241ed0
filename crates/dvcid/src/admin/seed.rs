//! `dvcid seed`: fills a database with synthetic citizens registered by phone, for the scale
//! benchmarks (`bench/scale.sh`). Never for a database people use: the accounts are made up.
//!
//! Account `i` is a pure function of `i` (its personal ID, name, birth date, phone), so that a
//! run can add accounts after an earlier one's (`--from`) and a benchmark can sign in as any of
//! them from the sample file alone. Every account has the same password hash: Argon2id takes
//! about 16 ms a hash, far too long for millions, and what a sign-in costs does not depend on
//! the salt.

use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use domain::{Carrier, Gender, PROVINCES, PersonalId, PhoneNumber};
use flows::{Argon2Params, OsRandomness, Passwords};
use store::bulk::{BulkCitizen, BulkLoader};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// sqlite://PATH or postgres://USER@HOST/DB (migrated first).
    #[arg(long, env = "DVCID_DATABASE_URL")]
    database: String,
    /// How many accounts to add.
    #[arg(long)]
    accounts: u64,
    /// The number of the first account added: how many an earlier seed of this database added.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// The password of every account.
    #[arg(long, default_value = "Bench-signin-2026")]
    password: String,
    /// Argon2id cost of the password hash: the server's (`[flows.argon2]`), so that a sign-in
    /// costs what it costs for a registered person.
    #[arg(long, default_value_t = Argon2Params::default().memory_kib)]
    argon2_memory_kib: u32,
    #[arg(long, default_value_t = Argon2Params::default().iterations)]
    argon2_iterations: u32,
    #[arg(long, default_value_t = Argon2Params::default().parallelism)]
    argon2_parallelism: u32,
    /// Accounts one transaction inserts.
    #[arg(long, default_value_t = 20_000)]
    batch: u64,
    /// Also write `--sample` accounts spread evenly over all those seeded so far (0 to
    /// from + accounts) to this file: a JSON object a line, with `personal_id` and `phone`.
    #[arg(long)]
    sample_out: Option<PathBuf>,
    #[arg(long, default_value_t = 1_000)]
    sample: u64,
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let end = args
        .from
        .checked_add(args.accounts)
        .filter(|end| *end <= MAX_ACCOUNTS)
        .with_context(|| format!("there are {MAX_ACCOUNTS} synthetic accounts, no more"))?;
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let phc = password_hash(&args).await?;
    let loader = BulkLoader::open(&args.database)
        .await
        .context("cannot open the database named by --database")?;
    let started = Instant::now();
    let mut next = args.from;
    while next < end {
        let stop = end.min(next.saturating_add(args.batch));
        let citizens = (next..stop)
            .map(citizen)
            .collect::<anyhow::Result<Vec<_>>>()?;
        loader
            .insert_citizens(&citizens, &phc, OffsetDateTime::now_utc())
            .await
            .with_context(|| format!("inserting accounts {next} to {}", stop - 1))?;
        next = stop;
        let rate = (next - args.from) as f64 / started.elapsed().as_secs_f64().max(1e-3);
        eprintln!(
            "seeded {} of {} ({rate:.0}/s)",
            next - args.from,
            args.accounts
        );
    }
    if let Some(path) = &args.sample_out {
        write_sample(path, end, args.sample)?;
    }
    Ok(())
}

async fn password_hash(args: &SeedArgs) -> anyhow::Result<String> {
    let cost = Argon2Params {
        memory_kib: args.argon2_memory_kib,
        iterations: args.argon2_iterations,
        parallelism: args.argon2_parallelism,
        max_concurrent: 1,
        max_waiting: 0,
    };
    let passwords = Passwords::new(&cost, std::sync::Arc::new(OsRandomness))
        .await
        .context("the Argon2 cost is not usable")?;
    Ok(passwords.hash(&args.password).await?)
}

/// `count` accounts of `0..seeded`, evenly spaced, as JSON lines.
fn write_sample(path: &Path, seeded: u64, count: u64) -> anyhow::Result<()> {
    let count = count.min(seeded);
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    for k in 0..count {
        // u128: k × seeded overflows u64 for large seeds.
        let index = u64::try_from(u128::from(k) * u128::from(seeded) / u128::from(count))?;
        let person = citizen(index)?;
        let line = serde_json::json!({
            "personal_id": person.personal_id.as_str(),
            "phone": person.phone.e164(),
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// Birth years of the synthetic citizens (adults and minors old enough to register).
const FIRST_BIRTH_YEAR: i32 = 1950;
const BIRTH_YEARS: u64 = 58;
/// Personal IDs of one province, gender and birth year differ by their 6-digit serial.
const SERIALS: u64 = 1_000_000;
/// Numbers of one prefix differ by their 7-digit subscriber number.
const SUBSCRIBERS: u64 = 10_000_000;
/// Multipliers that permute the serials and subscriber numbers (coprime with 10⁶ and 10⁷),
/// so that consecutive accounts do not get consecutive numbers.
const SERIAL_STRIDE: u64 = 738_497;
const SUBSCRIBER_STRIDE: u64 = 3_456_789;
/// Personal ID groups: province × gender × birth year.
const GROUPS: u64 = PROVINCES.len() as u64 * 2 * BIRTH_YEARS;
const PREFIX_COUNT: u64 = count_prefixes();
/// Where either the personal IDs or the phone numbers run out.
const MAX_ACCOUNTS: u64 = min(GROUPS * SERIALS, PREFIX_COUNT * SUBSCRIBERS);

const FAMILY_NAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
];
const MIDDLE_NAMES_MALE: &[&str] = &["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành"];
const MIDDLE_NAMES_FEMALE: &[&str] = &["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mai"];
const GIVEN_NAMES: &[&str] = &[
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Lan", "Linh",
    "Long", "Nam", "Nga", "Phong", "Phương", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến",
];

/// Synthetic citizen number `index` (below `MAX_ACCOUNTS`); two indexes never share a personal
/// ID or a phone.
fn citizen(index: u64) -> anyhow::Result<BulkCitizen> {
    // The group cycles fastest: consecutive accounts land all over the personal ID index.
    let group = index % GROUPS;
    let rank = index / GROUPS;
    let province = PROVINCES
        .get(usize::try_from(group % PROVINCES.len() as u64)?)
        .context("province")?;
    let gender = if (group / PROVINCES.len() as u64).is_multiple_of(2) {
        Gender::Male
    } else {
        Gender::Female
    };
    let birth_year = FIRST_BIRTH_YEAR + i32::try_from(group / (PROVINCES.len() as u64 * 2))?;
    let serial = u32::try_from(rank * SERIAL_STRIDE % SERIALS)?;
    let personal_id = PersonalId::from_parts(province.code, gender, birth_year, serial)?;
    let birth_date = Date::from_ordinal_date(birth_year, u16::try_from(1 + index % 365)?)?;
    Ok(BulkCitizen {
        id: Uuid::now_v7(),
        personal_id,
        full_name: full_name(index, gender),
        birth_date,
        gender,
        phone: phone(index)?,
    })
}

fn full_name(index: u64, gender: Gender) -> String {
    let middle_names = match gender {
        Gender::Male => MIDDLE_NAMES_MALE,
        Gender::Female => MIDDLE_NAMES_FEMALE,
    };
    let pick = |names: &[&'static str], spread: u64| {
        let at = usize::try_from(index / spread % names.len() as u64).unwrap_or(0);
        names.get(at).copied().unwrap_or_default()
    };
    format!(
        "{} {} {}",
        pick(FAMILY_NAMES, 1),
        pick(middle_names, 7),
        pick(GIVEN_NAMES, 13)
    )
}

fn phone(index: u64) -> anyhow::Result<PhoneNumber> {
    let prefix = prefixes()
        .nth(usize::try_from(index % PREFIX_COUNT)?)
        .context("prefix")?;
    let subscriber = index / PREFIX_COUNT * SUBSCRIBER_STRIDE % SUBSCRIBERS;
    Ok(PhoneNumber::parse(&format!("{prefix}{subscriber:07}"))?)
}

/// Every mobile prefix a carrier holds.
fn prefixes() -> impl Iterator<Item = &'static str> {
    Carrier::ALL
        .into_iter()
        .flat_map(|carrier| carrier.prefixes().iter().copied())
}

const fn count_prefixes() -> u64 {
    let mut count = 0;
    let mut at = 0;
    while at < Carrier::ALL.len() {
        count += Carrier::ALL[at].prefixes().len() as u64;
        at += 1;
    }
    count
}

const fn min(a: u64, b: u64) -> u64 {
    if a < b { a } else { b }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn citizens_are_valid_and_unique_across_the_id_range() {
        let mut ids = HashSet::new();
        let mut phones = HashSet::new();
        // A run of consecutive accounts, and accounts far apart up to the very last one.
        let far = (1..2_000).map(|k| k * (MAX_ACCOUNTS / 2_000));
        for index in (0..20_000).chain(far).chain([MAX_ACCOUNTS - 1]) {
            let person = citizen(index).unwrap();
            let parsed = PersonalId::parse(person.personal_id.as_str()).unwrap();
            parsed
                .check_consistent(person.birth_date, person.gender)
                .unwrap();
            assert_eq!(
                PhoneNumber::parse(person.phone.e164()).unwrap(),
                person.phone
            );
            assert!(ids.insert(person.personal_id), "index {index}");
            assert!(phones.insert(person.phone), "index {index}");
        }
    }

    #[test]
    fn a_citizen_is_the_same_every_time_but_for_the_row_id() {
        let (first, second) = (citizen(123_456).unwrap(), citizen(123_456).unwrap());
        assert_eq!(
            (first.personal_id, first.full_name, first.phone),
            (second.personal_id, second.full_name, second.phone)
        );
        assert_ne!(first.id, second.id);
    }

    #[test]
    fn the_sample_spreads_over_every_account_seeded() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("sample.jsonl");
        write_sample(&path, 1_000_000, 4).unwrap();
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let expected: Vec<String> = [0, 250_000, 500_000, 750_000]
            .into_iter()
            .map(|index| citizen(index).unwrap().personal_id.as_str().to_owned())
            .collect();
        let found: Vec<&str> = lines
            .iter()
            .map(|line| line["personal_id"].as_str().unwrap())
            .collect();
        assert_eq!(found, expected);
    }
}
