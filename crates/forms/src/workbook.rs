//! Writing an XLSForm workbook (sheets `survey`, `choices`, `settings`) from the survey's
//! sheets as text ([`survey_core::loader::Grid`]), with rust_xlsxwriter.
//!
//! Every cell is written as text with the Text number format (`@`), so Excel/WPS neither
//! turn `1` into a number nor `2026-11-01` into a date when the author edits it; each data
//! row is written at its own row number, so problems name the same rows as before. The
//! header row is bold and frozen. Formatting of an existing workbook (colours, widths,
//! comments, other sheets) is not kept when a tool rewrites it.
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::path::Path;
use survey_core::loader::Grid;
use survey_core::Table;

/// Writes the three sheets, in the order survey, choices, settings.
pub fn write(path: &Path, grids: &[Grid; 3]) -> Result<(), XlsxError> {
    workbook(grids)?.save(path)
}

/// The workbook's bytes (for tools that write every file or none).
pub fn to_bytes(grids: &[Grid; 3]) -> Result<Vec<u8>, XlsxError> {
    workbook(grids)?.save_to_buffer()
}

fn workbook(grids: &[Grid; 3]) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_num_format("@");
    let text = Format::new().set_num_format("@");
    for (table, grid) in [Table::Survey, Table::Choices, Table::Settings]
        .into_iter()
        .zip(grids)
    {
        let sheet = book.add_worksheet();
        sheet.set_name(table.sheet_name())?;
        for (c, h) in grid.header.iter().enumerate() {
            let col = c as u16;
            sheet.set_column_format(col, &text)?;
            if !h.is_empty() {
                sheet.write_string_with_format(0, col, h, &bold)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        for (row, cells) in &grid.rows {
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    sheet.write_string_with_format(row - 1, c as u16, v, &text)?;
                }
            }
        }
        sheet.autofit();
    }
    Ok(book)
}

/// Writes the three sheets as `survey.csv`, `choices.csv` and `settings.csv` in `dir`
/// (UTF-8, every row as wide as its header): a CSV copy of a survey whichever form it is
/// kept in, e.g. for tests of the CSV path.
pub fn write_csv_dir(dir: &Path, grids: &[Grid; 3]) -> Result<(), csv::Error> {
    for (table, grid) in [Table::Survey, Table::Choices, Table::Settings]
        .into_iter()
        .zip(grids)
    {
        let mut w = csv::Writer::from_path(dir.join(table.file_name()))?;
        w.write_record(&grid.header)?;
        for (_, row) in &grid.rows {
            let mut row = row.clone();
            row.resize(grid.header.len(), String::new());
            w.write_record(&row)?;
        }
        w.flush()?;
    }
    Ok(())
}
