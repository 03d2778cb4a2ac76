//! Quoting for the files the export writes: POSIX shell words and YAML scalars. Names the engine
//! admits are `[A-Za-z0-9._-]` (`engine::check_name`), but record keys and values are any text, so
//! everything user-given goes through here.

/// `text` as one POSIX shell word: single-quoted, with each `'` written as `'\''`. Inside single
/// quotes the shell expands nothing (`$`, `` ` ``, `\`, `!` stay as they are).
pub fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `text` as a YAML double-quoted scalar (YAML 1.2 §7.3.1): `\` and `"` escaped, control characters
/// as `\xNN`, so no value can end the string or start a new key.
pub fn yaml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32 & 0xFF)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The Apache Kafka image's environment variable for a server property: `.` → `_`, `_` → `__`,
/// `-` → `___`, upper case, prefixed `KAFKA_` (apache/kafka `docker/examples/README.md`, "Using
/// Environment Variables").
pub fn kafka_env(property: &str) -> String {
    let mut out = String::from("KAFKA_");
    for c in property.chars() {
        match c {
            '.' => out.push('_'),
            '_' => out.push_str("__"),
            '-' => out.push_str("___"),
            c => out.push(c.to_ascii_uppercase()),
        }
    }
    out
}

/// `text` with control characters (newline, tab, NUL, ...) replaced by a space: for a comment line
/// and for a console-producer line, where a newline would start another record.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_keep_every_character_literal() {
        assert_eq!(shell("order 35 paid"), "'order 35 paid'");
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(shell("$(rm -rf /) `x` \\ !"), "'$(rm -rf /) `x` \\ !'");
    }

    #[test]
    fn yaml_scalars_cannot_break_out() {
        assert_eq!(yaml("a"), "\"a\"");
        assert_eq!(yaml("a\"b\\c\nd: e"), "\"a\\\"b\\\\c\\x0Ad: e\"");
    }

    #[test]
    fn kafka_env_names_follow_the_images_rule() {
        assert_eq!(kafka_env("replica.lag.time.max.ms"), "KAFKA_REPLICA_LAG_TIME_MAX_MS");
        assert_eq!(kafka_env("abc-def"), "KAFKA_ABC___DEF");
        assert_eq!(kafka_env("abc_def"), "KAFKA_ABC__DEF");
    }
}
