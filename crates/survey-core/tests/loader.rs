//! Loading survey folders from CSV, and every loader error path.

mod common;
use survey_core::loader::from_csv_strs;
use survey_core::{load_survey_dir, ProblemKind, RawSurvey, Survey, Table};

const SURVEY: &str = "\u{feff}type,name,label::zh,label::ii,ii_status,media::image\r\n\
text,head_name,户主姓名,ꉬ,draft,head.png\r\n\
,,,,,\r\n\
select_one yn,ok,好吗,ꉬ,draft,\r\n";
const CHOICES: &str =
    "list_name,name,label::zh,label::ii,ii_status,ii_source,village\nyn,yes,是,ꉬ,sourced,CLDR ii,\nyn,no,否,ꀋꉬ,draft,,a\n";
const SETTINGS: &str = "form_id,version,form_title::zh,form_title::ii,ii_status,income_monitoring_line\nhh,3,户表,ꉬ,draft,7000\n";

fn codes(r: Result<RawSurvey, Vec<survey_core::Problem>>) -> Vec<(Table, u32, &'static str)> {
    r.unwrap_err()
        .iter()
        .map(|p| (p.table, p.row, p.code()))
        .collect()
}

#[test]
fn loads_rows_with_spreadsheet_row_numbers_and_extra_columns() {
    let raw = from_csv_strs(SURVEY, CHOICES, SETTINGS).unwrap();
    assert_eq!(raw.survey.len(), 2, "{:#?}", raw.survey);
    assert_eq!(raw.survey[0].row, 2);
    assert_eq!(raw.survey[0].kind, "text");
    assert_eq!(raw.survey[0].extra["media::image"], "head.png");
    // The blank line 3 is skipped but still counted.
    assert_eq!(raw.survey[1].row, 4);
    assert_eq!(raw.choices[1].extra["village"], "a");
    assert!(!raw.choices[0].extra.contains_key("village"));
    assert_eq!(raw.settings.form_id, "hh");
    assert_eq!(raw.settings.extra["income_monitoring_line"], "7000");
    let s = Survey::compile(raw.clone()).unwrap();
    assert_eq!(s.find("ok").unwrap().row, 4);
    // Round trip through JSON (what the app embeds) compiles the same.
    let again = Survey::compile(RawSurvey::from_json(&raw.to_json()).unwrap()).unwrap();
    assert_eq!(again.items().len(), s.items().len());
    assert_eq!(again.setting("income_monitoring_line"), Some("7000"));
}

#[test]
fn missing_required_columns() {
    let r = from_csv_strs(
        "name,label::zh\nx,y\n",
        "list_name,label::zh\n",
        "version\n1\n",
    );
    assert_eq!(
        codes(r),
        [
            (Table::Survey, 1, "missing_column"),
            (Table::Choices, 1, "missing_column"),
            (Table::Settings, 1, "missing_column"),
        ]
    );
}

#[test]
fn row_numbers_are_right_with_crlf_lf_and_multiline_cells() {
    for nl in ["\n", "\r\n"] {
        let text = format!(
            "type,name,label::zh{nl}text,a,x{nl}{nl}text,b,\"two{nl}lines\"{nl}text,c,y{nl}"
        );
        let raw = from_csv_strs(&text, CHOICES, SETTINGS).unwrap();
        let rows: Vec<u32> = raw.survey.iter().map(|r| r.row).collect();
        assert_eq!(rows, [2, 4, 6], "{nl:?}");
    }
}

#[test]
fn ragged_rows_are_csv_problems_with_their_row() {
    for text in [
        "type,name\ntext,a\ntext,b,extra\n",
        "type,name\r\ntext,a\r\ntext,b,extra\r\n",
    ] {
        let problems = from_csv_strs(text, CHOICES, SETTINGS).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].table, problems[0].row, problems[0].code()),
            (Table::Survey, 3, "csv")
        );
    }
}

#[test]
fn settings_needs_exactly_one_value_row() {
    assert_eq!(
        codes(from_csv_strs(SURVEY, CHOICES, "form_id\n")),
        [(Table::Settings, 0, "settings_rows")]
    );
    assert_eq!(
        codes(from_csv_strs(SURVEY, CHOICES, "form_id\na\nb\n")),
        [(Table::Settings, 0, "settings_rows")]
    );
}

#[test]
fn invalid_utf8_and_empty_files() {
    assert_eq!(
        codes(from_csv_strs("", CHOICES, SETTINGS)),
        [
            (Table::Survey, 1, "missing_column"),
            (Table::Survey, 1, "missing_column")
        ]
    );
    let dir = std::env::temp_dir().join(format!("survey-core-bad-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("survey.csv"), b"type,name\ntext,\xff\xfe\n").unwrap();
    std::fs::write(dir.join("choices.csv"), CHOICES).unwrap();
    std::fs::write(dir.join("settings.csv"), SETTINGS).unwrap();
    let problems = load_survey_dir(&dir).unwrap_err();
    assert!(
        matches!(problems[0].kind, ProblemKind::Io { .. }),
        "{problems:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_folder_reports_every_missing_file() {
    let got = codes(load_survey_dir("/nonexistent/survey"));
    assert_eq!(
        got,
        [
            (Table::Survey, 0, "io"),
            (Table::Choices, 0, "io"),
            (Table::Settings, 0, "io")
        ]
    );
}

#[test]
fn load_dir_reads_and_compiles() {
    let dir = std::env::temp_dir().join(format!("survey-core-ok-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("survey.csv"), SURVEY).unwrap();
    std::fs::write(dir.join("choices.csv"), CHOICES).unwrap();
    std::fs::write(dir.join("settings.csv"), SETTINGS).unwrap();
    let s = Survey::load_dir(&dir).unwrap();
    assert_eq!(s.id(), "hh");
    assert_eq!(s.list("yn").unwrap().choices.len(), 2);
    std::fs::write(dir.join("survey.csv"), "type,name\ntext,a\ntext,a\n").unwrap();
    let problems = Survey::load_dir(&dir).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.code() == "duplicate_name" && p.row == 3),
        "{problems:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_with_wrong_shapes_is_rejected() {
    assert!(RawSurvey::from_json(r#"{"survey": [{"type": 1}]}"#).is_err());
    assert!(RawSurvey::from_json(r#"{"survey": "x"}"#).is_err());
    assert_eq!(RawSurvey::from_json("{}").unwrap(), RawSurvey::default());
}
