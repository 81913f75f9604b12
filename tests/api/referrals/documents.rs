//! Court-order documents attached to a referral.

use super::*;

#[tokio::test]
async fn court_order_documents_are_checked_by_content_and_served_only_to_the_centre_and_referrer() {
    let w = world().await;
    let app = &w.app;
    let (referral, jo, _chris) = referred_and_completed(&w).await;
    let base = format!(
        "/api/v1/referrals/{}/attachments",
        referral["id"].as_str().unwrap()
    );
    let pdf = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n".to_vec();
    let upload = |token: String, body: Vec<u8>, declared: &'static str| {
        let url = app.url(&format!("{base}?filename=order.pdf"));
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", declared)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let created = upload(w.solicitor.clone(), pdf.clone(), "application/pdf").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["content_type"], "application/pdf");
    assert_eq!(created["size_bytes"], pdf.len());
    // The type comes from the content, not from what the sender says.
    let html = upload(
        w.solicitor.clone(),
        b"<html><script>alert(1)</script>".to_vec(),
        "application/pdf",
    )
    .await;
    assert_eq!(html.status(), 422);
    let problem: Value = html.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "body");
    let mut big = b"%PDF-".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'0');
    assert_eq!(
        upload(w.solicitor.clone(), big.clone(), "application/pdf")
            .await
            .status(),
        413
    );
    // Who may not attach is refused before the body is read: 403 or 404,
    // never a 413 that says the service took the upload in.
    assert_eq!(
        upload(w.staff.clone(), big.clone(), "application/pdf")
            .await
            .status(),
        403
    );
    assert_eq!(
        upload(w.other_solicitor.clone(), big, "application/pdf")
            .await
            .status(),
        404
    );
    // Parents and staff neither add nor read documents.
    assert_eq!(
        upload(jo.clone(), pdf.clone(), "application/pdf")
            .await
            .status(),
        403
    );
    let count = app
        .query_texts("SELECT count(*)::text AS value FROM referral_attachments")
        .await;
    assert_eq!(count, ["1"]);

    let listed = app
        .json_of(Method::GET, Some(&w.coordinator), &base, None, 200)
        .await;
    assert_eq!(listed["items"][0]["filename"], "order.pdf");
    assert!(listed["next_cursor"].is_null());
    for token in [&w.staff, &jo, &w.admin] {
        app.json_of(Method::GET, Some(token), &base, None, 403)
            .await;
    }
    app.json_of(Method::GET, Some(&w.other_solicitor), &base, None, 404)
        .await;
    let download = format!("{base}/{}", created["id"].as_str().unwrap());
    let got = app
        .send(Method::GET, Some(&w.coordinator), &download, None)
        .await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        app.send(Method::GET, Some(&jo), &download, None)
            .await
            .status(),
        403
    );
    let missing = format!("{base}/{}", uuid::Uuid::now_v7());
    app.json_of(Method::GET, Some(&w.solicitor), &missing, None, 404)
        .await;
}

/// Scans and photos of an order come as PNG or JPEG: each is stored with the
/// type its content shows, whatever the sender declared, and served back as it
/// came, byte for byte.
#[tokio::test]
async fn png_and_jpeg_scans_are_stored_by_their_content_and_served_back_unchanged() {
    let w = world().await;
    let app = &w.app;
    let (referral, _jo, _chris) = referred_and_completed(&w).await;
    let base = format!(
        "/api/v1/referrals/{}/attachments",
        referral["id"].as_str().unwrap()
    );
    let png = [b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice(), &[7; 64]].concat();
    let jpeg = [b"\xff\xd8\xff\xe0\0\x10JFIF\0".as_slice(), &[9; 64]].concat();
    for (bytes, name, declared, stored) in [
        (png, "scan.png", "application/octet-stream", "image/png"),
        (jpeg, "photo.jpg", "image/png", "image/jpeg"),
    ] {
        let created: Value = app
            .client
            .post(app.url(&format!("{base}?filename={name}")))
            .bearer_auth(&w.solicitor)
            .header("content-type", declared)
            .body(bytes.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(created["content_type"], stored, "{created}");
        assert_eq!(created["filename"], name);
        let download = format!("{base}/{}", created["id"].as_str().unwrap());
        let got = app
            .send(Method::GET, Some(&w.coordinator), &download, None)
            .await;
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()["content-type"], stored);
        assert_eq!(got.bytes().await.unwrap().to_vec(), bytes, "{name}");
    }
}
