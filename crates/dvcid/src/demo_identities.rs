//! The demo identities as `dvcid demo` prints them: a table with labelled columns, and the
//! journey each person is there for. They exist only in the sandbox registries, so each must
//! register before signing in.

use sandbox::{DemoIdentity, DemoRole, Person};

/// Column labels, Vietnamese over English.
const COLUMNS: [(&str, &str); 7] = [
    ("", ""),
    ("Số định danh", "ID number"),
    ("Họ và tên", "Name"),
    ("Ngày sinh", "Birth date"),
    ("Giới tính", "Gender"),
    ("Điện thoại", "Phone"),
    ("Mã số BHXH", "BHXH code"),
];

/// The block of the banner about the demo identities, each line indented by four spaces.
pub fn text(identities: &[DemoIdentity<'_>]) -> String {
    let mut rows: Vec<[String; 7]> = vec![
        COLUMNS.map(|(vi, _)| vi.to_owned()),
        COLUMNS.map(|(_, en)| en.to_owned()),
    ];
    for (number, identity) in identities.iter().enumerate() {
        rows.push(cells(number + 1, identity.person));
    }
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String; 7]| {
        let padded: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                let pad = width.saturating_sub(cell.chars().count());
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        format!("    {}", padded.join("  ").trim_end())
    };

    let mut out = String::new();
    out.push_str("  Danh tính thử — chưa có tài khoản: hãy đăng ký trước, rồi mới đăng nhập\n");
    out.push_str("  Demo identities — no account yet: each must register first, then sign in\n");
    for row in &rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str("  Hành trình / Journeys:\n");
    for (number, identity) in identities.iter().enumerate() {
        let (vi, en) = journey(identity.role, identity.person);
        out.push_str(&format!("    {}. {vi}\n       {en}\n", number + 1));
    }
    out
}

fn cells(number: usize, person: &Person) -> [String; 7] {
    let birth = person.birth_date;
    [
        format!("{number}."),
        person.personal_id.as_str().to_owned(),
        person.full_name.clone(),
        format!(
            "{:02}/{:02}/{}",
            birth.day(),
            u8::from(birth.month()),
            birth.year()
        ),
        format!("{}/{}", person.gender.name_vi(), person.gender.as_str()),
        person.phone.national(),
        person.bhxh_code.as_str().to_owned(),
    ]
}

/// What to try as this person, in Vietnamese and in English.
fn journey(role: DemoRole, person: &Person) -> (String, String) {
    match role {
        DemoRole::PhoneRegistration => {
            let (lost_vi, lost_en) = match &person.second_phone {
                Some(second) => (
                    format!(
                        "; báo mất số nhận OTP rồi đổi sang số {}",
                        second.national()
                    ),
                    format!(
                        "; report the OTP phone lost and move to {}",
                        second.national()
                    ),
                ),
                None => (String::new(), String::new()),
            };
            (
                format!("Đăng ký bằng số điện thoại, rồi đăng nhập (mật khẩu + OTP SMS){lost_vi}"),
                format!("Register by phone, then sign in (password + SMS OTP){lost_en}"),
            )
        }
        DemoRole::BhxhRegistration => (
            "Đăng ký bằng mã số BHXH, rồi đăng nhập".to_owned(),
            "Register by BHXH code, then sign in".to_owned(),
        ),
        DemoRole::BorrowedPhone => (
            "Đăng ký bằng số điện thoại: bị từ chối vì số đứng tên người thân; đăng ký qua Bưu điện Việt Nam thì được".to_owned(),
            "Register by phone: refused, the phone is in a relative's name; through Vietnam Post it works".to_owned(),
        ),
        DemoRole::EmailActivation => {
            let email = person
                .email
                .as_ref()
                .map(|email| email.as_str().to_owned())
                .unwrap_or_default();
            (
                format!("Đăng ký bằng số điện thoại kèm e-mail {email}, rồi dùng «Quên mật khẩu»"),
                format!("Register by phone with the e-mail {email}, then use “Forgot password”"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use sandbox::SyntheticPeople;

    use super::*;

    #[test]
    fn columns_are_labelled_and_each_person_has_a_journey() {
        let people = SyntheticPeople::generate(sandbox::DEFAULT_SEED, 10);
        let identities = people.demo_identities();
        let text = text(&identities);
        for label in [
            "Số định danh",
            "ID number",
            "Họ và tên",
            "Name",
            "Ngày sinh",
            "Birth date",
            "Giới tính",
            "Gender",
            "Điện thoại",
            "Phone",
            "Mã số BHXH",
            "BHXH code",
        ] {
            assert!(text.contains(label), "{label}: {text}");
        }
        assert!(text.contains("must register first"), "{text}");
        assert!(text.contains("hãy đăng ký trước"), "{text}");
        for (number, identity) in identities.iter().enumerate() {
            let person = identity.person;
            let row = text
                .lines()
                .find(|line| {
                    line.trim_start().starts_with(&format!("{}. ", number + 1))
                        && line.contains(person.personal_id.as_str())
                })
                .unwrap_or_else(|| panic!("no row for {}: {text}", person.personal_id.as_str()));
            for value in [
                person.full_name.clone(),
                person.phone.national(),
                person.bhxh_code.as_str().to_owned(),
                person.gender.as_str().to_owned(),
            ] {
                assert!(row.contains(&value), "{value}: {row}");
            }
        }
        for journey in [
            "Register by phone, then sign in",
            "report the OTP phone lost and move to",
            "Register by BHXH code",
            "refused, the phone is in a relative's name; through Vietnam Post it works",
            "Forgot password",
        ] {
            assert!(text.contains(journey), "{journey}: {text}");
        }
    }

    #[test]
    fn the_columns_line_up() {
        let people = SyntheticPeople::generate(sandbox::DEFAULT_SEED, 10);
        let identities = people.demo_identities();
        let text = text(&identities);
        let lines: Vec<&str> = text.lines().collect();
        // The character at which `cell` starts on the line that holds `row_marker`.
        let column = |row_marker: &str, cell: &str| {
            let line = lines
                .iter()
                .find(|line| line.contains(row_marker))
                .unwrap_or_else(|| panic!("no line with {row_marker}: {text}"));
            let byte = line.find(cell).unwrap();
            line[..byte].chars().count()
        };
        for (vi, en, value) in [
            (
                "Số định danh",
                "ID number",
                (|p: &Person| p.personal_id.as_str().to_owned()) as fn(&Person) -> String,
            ),
            ("Điện thoại", "Phone", |p: &Person| p.phone.national()),
            ("Mã số BHXH", "BHXH code", |p: &Person| {
                p.bhxh_code.as_str().to_owned()
            }),
        ] {
            let start = column(vi, vi);
            assert_eq!(column(en, en), start, "{en}\n{text}");
            for identity in &identities {
                let id = identity.person.personal_id.as_str();
                assert_eq!(column(id, &value(identity.person)), start, "{vi}\n{text}");
            }
        }
    }
}
