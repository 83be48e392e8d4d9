//! Time to sign one request, per scheme, with a realistic body (a 100-id batch where the API
//! takes a body). Run: `cargo bench -p cert-common --bench sign`.

use std::hint::black_box;

use cert_common::credentials::{AccessKey, Credentials};
use cert_common::http::HttpRequest;
use cert_common::sign::{aliyun, huawei, tencent};
use cert_common::time::UtcDateTime;
use criterion::{Criterion, criterion_group, criterion_main};

fn huawei_request() -> HttpRequest {
    let mut r = HttpRequest::new(
        "POST",
        "https",
        "elb.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef0123456789abcdef/elb/certificates/batch-delete",
    );
    r.set_header("Content-Type", "application/json;charset=utf-8");
    r.set_header("User-Agent", "cloud-cert-sdk-rust/huawei-elb/0.1.0");
    let ids: Vec<String> = (0..100).map(|i| format!("{i:032x}")).collect();
    r.body = cert_common::json::to_python_json(&serde_json::json!({ "certificates": ids }))
        .expect("json")
        .into();
    r
}

fn tencent_request() -> HttpRequest {
    let mut r = HttpRequest::new("POST", "https", "ssl.tencentcloudapi.com", "/");
    let ids: Vec<u64> = (1_000_000..1_000_100).collect();
    r.body = cert_common::json::to_python_json(&serde_json::json!({ "CSRIds": ids }))
        .expect("json")
        .into();
    r
}

fn aliyun_request() -> HttpRequest {
    let mut r = HttpRequest::new("POST", "https", "cas.aliyuncs.com", "/");
    r.query = "CertId=7562353&ClientToken=6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f".into();
    r
}

fn bench(c: &mut Criterion) {
    let key = AccessKey::new(
        "HPUAEXAMPLEAK0000001",
        "ExampleSecretKey0000000000000000000000001",
    );
    let creds = Credentials::AccessKey(key.clone());
    let now = UtcDateTime::from_unix(1_704_164_645);
    let hw = huawei_request();
    c.bench_function("sign/huawei SDK-HMAC-SHA256 (100-id body)", |b| {
        b.iter(|| {
            let mut r = hw.clone();
            huawei::sign_request(
                &mut r,
                &creds,
                Some("0123456789abcdef0123456789abcdef"),
                now,
            );
            black_box(r)
        })
    });
    let tc = tencent_request();
    let params = tencent::CommonParams {
        action: "BatchDeleteCSR",
        version: "2019-12-05",
        region: None,
        language: "en-US",
        request_client: "cloud-cert-sdk-rust/tencent-ssl/0.1.0",
        trace_id: "0f0e0d0c-0b0a-4908-8706-050403020100",
        service: "ssl",
        unsigned_payload: false,
    };
    c.bench_function("sign/tencent TC3-HMAC-SHA256 (100-id body)", |b| {
        b.iter(|| {
            let mut r = tc.clone();
            tencent::sign_request(&mut r, &params, &key, 1_704_164_645);
            black_box(r)
        })
    });
    let al = aliyun_request();
    let aparams = aliyun::CommonParams {
        action: "DeleteUserCertificate",
        version: "2020-04-07",
        user_agent: "cloud-cert-sdk-rust/aliyun-cas/0.1.0",
        date: "2024-01-02T03:04:05Z",
        nonce: "0123456789abcdef0123456789abcdef",
    };
    c.bench_function("sign/aliyun ACS3-HMAC-SHA256 (query, no body)", |b| {
        b.iter(|| {
            let mut r = al.clone();
            aliyun::sign_request(&mut r, &aparams, &key);
            black_box(r)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
