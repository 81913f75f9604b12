//! `ccc import-postcodes PATH`: loads OS Code-Point Open into `postcodes` and
//! rebuilds `postcode_districts` from it.
//!
//! The file (`postcode,positional_quality,easting,northing`, plain or gzipped)
//! is read and converted on a thread of its own while PostgreSQL receives the
//! rows by `COPY`. Everything happens in one transaction into a fresh table that
//! replaces the old one at the end, so an import is all-or-nothing, can be run
//! again at any time (idempotent), and readers see the old table until it
//! commits. An advisory lock keeps two imports from running at once.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio_postgres::NoTls;

use super::parse::{grid_to_wgs84, parse};

/// Code-Point's positional quality for "no coordinates".
const NO_POSITION: i16 = 90;
/// Rows sent to PostgreSQL per COPY chunk.
const CHUNK_ROWS: usize = 20_000;
const IMPORT_LOCK_KEY: i64 = 0x0ccc_0002;
const HEADER: &str = "postcode,positional_quality,easting,northing";

/// What an import loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub postcodes: u64,
    pub without_coordinates: u64,
    pub districts: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {message}")]
    Format {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("the reading thread stopped unexpectedly")]
    Thread,
    #[error(
        "the file has {new} postcodes but the table has {current}: refusing to drop more than a \
         tenth of them (a truncated or wrong file?)"
    )]
    Shrink { current: i64, new: i64 },
}

/// Imports the file at `path` into the database at `database_url`.
pub async fn import(database_url: &str, path: &Path) -> Result<ImportReport, ImportError> {
    let read_error = |source| ImportError::Read {
        path: path.to_owned(),
        source,
    };
    let reader = open(path).map_err(read_error)?;

    let (mut client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let connection = tokio::spawn(async move {
        if let Err(err) = connection.await {
            log::error!("postcode import connection: {err}");
        }
    });

    client
        .execute("SELECT pg_advisory_lock($1)", &[&IMPORT_LOCK_KEY])
        .await?;
    let tx = client.transaction().await?;
    tx.batch_execute(
        "CREATE TABLE postcodes_next (LIKE postcodes INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
    )
    .await?;

    // Reading, checking and converting run on their own thread, a chunk ahead.
    let (chunks, mut receiver) = mpsc::channel::<Bytes>(4);
    let owned_path = path.to_owned();
    let reading = std::thread::spawn(move || read_rows(reader, &owned_path, &chunks));

    let sink = tx
        .copy_in::<_, Bytes>(
            "COPY postcodes_next (postcode, outward, positional_quality, easting, northing, \
             latitude, longitude) FROM STDIN",
        )
        .await?;
    futures_util::pin_mut!(sink);
    while let Some(chunk) = receiver.recv().await {
        sink.send(chunk).await?;
    }
    // The file is read to its end (or failed) before anything is committed.
    let counts = reading.join().map_err(|_| ImportError::Thread)??;
    sink.as_mut().finish().await?;

    // Code-Point Open only grows and shrinks a little between releases: a file
    // much smaller than the table is a wrong or truncated file, not an update.
    let (current, new): (i64, i64) = {
        let row = tx
            .query_one(
                "SELECT (SELECT count(*) FROM postcodes), (SELECT count(*) FROM postcodes_next)",
                &[],
            )
            .await?;
        (row.get(0), row.get(1))
    };
    if new < current * 9 / 10 {
        return Err(ImportError::Shrink { current, new });
    }
    tx.batch_execute(
        "ALTER TABLE postcodes_next ADD PRIMARY KEY (postcode);
         -- Districts in the file take its centroids; districts it has no positioned
         -- postcode for keep the centroid they had (the shipped one).
         INSERT INTO postcode_districts (outward, easting, northing, latitude, longitude, postcodes)
             SELECT outward, round(avg(easting))::integer, round(avg(northing))::integer,
                    avg(latitude), avg(longitude), count(*)
             FROM postcodes_next
             WHERE latitude IS NOT NULL
             GROUP BY outward
         ON CONFLICT (outward) DO UPDATE SET
             easting = EXCLUDED.easting, northing = EXCLUDED.northing,
             latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
             postcodes = EXCLUDED.postcodes;
         -- The new table is the importer's; give it every grant the old one had,
         -- so that a service connecting as another role can still read it.
         DO $grants$
         DECLARE g record;
         BEGIN
             FOR g IN SELECT grantee, privilege_type FROM information_schema.role_table_grants
                      WHERE table_schema = current_schema() AND table_name = 'postcodes'
                        AND grantee <> current_user
             LOOP
                 EXECUTE format('GRANT %s ON postcodes_next TO %s', g.privilege_type,
                                CASE WHEN g.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(g.grantee) END);
             END LOOP;
         END
         $grants$;
         DROP TABLE postcodes;
         ALTER TABLE postcodes_next RENAME TO postcodes;
         ALTER INDEX postcodes_next_pkey RENAME TO postcodes_pkey;",
    )
    .await?;
    let districts: i64 = tx
        .query_one(
            "SELECT count(DISTINCT outward) FROM postcodes WHERE latitude IS NOT NULL",
            &[],
        )
        .await?
        .get(0);
    let report = ImportReport {
        postcodes: counts.0,
        without_coordinates: counts.1,
        districts: u64::try_from(districts).unwrap_or(0),
    };
    let source = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tx.execute(
        "INSERT INTO postcode_imports (id, source, postcodes, without_coordinates, districts)
         VALUES ($1::text::uuid, $2, $3, $4, $5)",
        &[
            &uuid::Uuid::now_v7().to_string(),
            &source,
            &i32::try_from(report.postcodes).unwrap_or(i32::MAX),
            &i32::try_from(report.without_coordinates).unwrap_or(i32::MAX),
            &i32::try_from(report.districts).unwrap_or(i32::MAX),
        ],
    )
    .await?;
    tx.commit().await?;
    client.batch_execute("ANALYZE postcodes").await?;
    drop(client);
    let _ = connection.await;
    Ok(report)
}

/// The last completed import, if any, described for a log line.
pub async fn loaded(database_url: &str) -> Result<Option<String>, ImportError> {
    let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let connection = tokio::spawn(connection);
    let row = client
        .query_opt(
            "SELECT postcodes, to_char(imported_at, 'YYYY-MM-DD HH24:MI') FROM postcode_imports \
             ORDER BY imported_at DESC LIMIT 1",
            &[],
        )
        .await?;
    drop(client);
    let _ = connection.await;
    Ok(row.map(|r| {
        format!(
            "{} postcodes on {}",
            r.get::<_, i32>(0),
            r.get::<_, String>(1)
        )
    }))
}

/// Opens the file, unzipping it if it starts with the gzip magic bytes.
fn open(path: &Path) -> std::io::Result<Box<dyn BufRead + Send>> {
    let mut file = BufReader::with_capacity(1 << 20, File::open(path)?);
    let gzipped = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzipped {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::GzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    })
}

/// Reads every row, sending COPY text chunks; returns (rows, rows without a
/// position). Stops at the first bad row: a half-read file is never imported.
fn read_rows(
    reader: Box<dyn BufRead + Send>,
    path: &Path,
    chunks: &mpsc::Sender<Bytes>,
) -> Result<(u64, u64), ImportError> {
    let mut lines = reader.lines();
    let header = lines
        .next()
        .transpose()
        .map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })?;
    if header.as_deref().map(str::trim) != Some(HEADER) {
        return Err(format_error(
            path,
            1,
            format!("the header must be `{HEADER}`"),
        ));
    }
    let (mut rows, mut unpositioned) = (0u64, 0u64);
    let mut buffer = String::with_capacity(CHUNK_ROWS * 64);
    let mut in_buffer = 0;
    for (index, line) in lines.enumerate() {
        let number = index as u64 + 2;
        let line = line.map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let row = parse_row(&line).map_err(|m| format_error(path, number, m))?;
        rows += 1;
        match row.position {
            Some((lat, lon)) => {
                let _ = writeln!(
                    buffer,
                    "{}\t{}\t{}\t{}\t{}\t{lat}\t{lon}",
                    row.postcode, row.outward, row.quality, row.easting, row.northing
                );
            }
            None => {
                unpositioned += 1;
                let _ = writeln!(
                    buffer,
                    "{}\t{}\t{}\t\\N\t\\N\t\\N\t\\N",
                    row.postcode, row.outward, row.quality
                );
            }
        }
        in_buffer += 1;
        if in_buffer == CHUNK_ROWS {
            send(chunks, &mut buffer)?;
            in_buffer = 0;
        }
    }
    if !buffer.is_empty() {
        send(chunks, &mut buffer)?;
    }
    Ok((rows, unpositioned))
}

fn send(chunks: &mpsc::Sender<Bytes>, buffer: &mut String) -> Result<(), ImportError> {
    let chunk = Bytes::from(std::mem::take(buffer).into_bytes());
    // A closed channel means the COPY side failed; its error is the one to report.
    chunks.blocking_send(chunk).map_err(|_| ImportError::Thread)
}

fn format_error(path: &Path, line: u64, message: String) -> ImportError {
    ImportError::Format {
        path: path.to_owned(),
        line,
        message,
    }
}

/// One checked row of Code-Point Open.
#[derive(Debug, PartialEq)]
struct Row {
    postcode: String,
    outward: String,
    quality: i16,
    easting: u32,
    northing: u32,
    /// WGS84 (latitude, longitude); `None` where Code-Point has no position.
    position: Option<(f64, f64)>,
}

fn parse_row(line: &str) -> Result<Row, String> {
    let fields: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
    let [postcode, quality, easting, northing] = fields[..] else {
        return Err(format!("expected 4 fields, found {}", fields.len()));
    };
    let parsed = parse(postcode).map_err(|_| format!("`{postcode}` is not a postcode"))?;
    if parsed.inward.is_none() {
        return Err(format!(
            "`{postcode}` is an outward code, not a full postcode"
        ));
    }
    let quality: i16 = quality
        .parse()
        .map_err(|_| format!("positional_quality `{quality}` is not a number"))?;
    let easting: u32 = easting
        .parse()
        .map_err(|_| format!("easting `{easting}` is not a whole number of metres"))?;
    let northing: u32 = northing
        .parse()
        .map_err(|_| format!("northing `{northing}` is not a whole number of metres"))?;
    let position = if quality == NO_POSITION || (easting == 0 && northing == 0) {
        None
    } else {
        Some(
            grid_to_wgs84(f64::from(easting), f64::from(northing))
                .ok_or_else(|| format!("{easting},{northing} is outside the National Grid"))?,
        )
    };
    Ok(Row {
        postcode: parsed.to_string(),
        outward: parsed.outward,
        quality,
        easting,
        northing,
        position,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_checked_and_converted() {
        let row = parse_row("CA1 1AA,10,340420,555750").map_err(|e| e.to_string());
        let Ok(row) = row else { panic!("{row:?}") };
        assert_eq!(row.postcode, "CA1 1AA");
        assert_eq!(row.outward, "CA1");
        let (lat, lon) = row.position.unwrap_or_default();
        assert!(
            (54.8..55.0).contains(&lat) && (-3.0..-2.8).contains(&lon),
            "{lat},{lon}"
        );

        let unpositioned = parse_row("AB1 0AA,90,0,0").map(|r| r.position);
        assert_eq!(unpositioned, Ok(None));

        for bad in [
            "CA1 1AA,10,340420",
            "CA1,10,340420,555750",
            "NOT A PC,10,1,1",
            "CA1 1AA,x,340420,555750",
            "CA1 1AA,10,-5,555750",
        ] {
            assert!(parse_row(bad).is_err(), "{bad}");
        }
    }
}
