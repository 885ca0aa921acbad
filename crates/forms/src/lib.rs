//! The form authors' tool (`liangshan-forms`): `lint` checks a survey folder (XLSForm
//! `.xlsx`, or the CSV files) and reports every problem with sheet, row and column, in
//! Chinese and English; `show` prints the loaded survey as JSON; `convert` writes the
//! XLSForm workbook of a CSV survey; `publish` writes the compiled forms and their index
//! into a built app's `forms/` folder, so a corrected form reaches the tablets without a
//! build.
pub mod convert;
pub mod lint;
pub mod publish;
pub mod show;
pub mod workbook;
