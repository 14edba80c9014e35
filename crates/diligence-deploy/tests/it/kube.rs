//! Kubernetes manifests, Kustomize files and Helm charts: every
//! `deploy.kube-*` rule on objects that must be flagged, and on look-alikes
//! that must not.

use diligence_model::{Confidence, Severity};

use crate::{collect, hits, list};

fn at(
    path: &str,
    line: u32,
    severity: Severity,
    confidence: Confidence,
) -> (String, u32, Severity, Confidence) {
    (path.to_owned(), line, severity, confidence)
}

const APP: &str = "k8s/app.yaml";
const AGENT: &str = "k8s/agent.yaml";
const VALUES: &str = "charts/web/values.yaml";

#[test]
fn flags_kubernetes_practices() -> anyhow::Result<()> {
    use Confidence::{High as H, Medium as M};
    use Severity::{High, Low, Medium};
    let ev = collect(Some("kube/flag"), &[])?;
    assert_eq!(
        list(&ev, "deploy.kubernetes-manifests"),
        [
            "k8s/agent.yaml (CronJob, DaemonSet, Job)",
            "k8s/app.yaml (ConfigMap, Deployment, Secret, Service)"
        ]
    );
    assert_eq!(list(&ev, "deploy.helm-charts"), ["charts/web/ (web 0.3.1)"]);
    assert_eq!(
        list(&ev, "deploy.kube-templates-not-analysed"),
        ["charts/web/templates/ (2 files)"]
    );
    assert!(list(&ev, "deploy.platforms").contains(&"kubernetes".to_owned()));
    let deployables = list(&ev, "deploy.deployables");
    assert!(
        deployables.contains(
            &"k8s/app.yaml (Deployment web; images registry.example.com/web, registry.example.com/web:1.4.0)"
                .to_owned()
        ),
        "{deployables:?}"
    );
    assert!(
        deployables.contains(
            &"charts/web/values.yaml (Helm values, image registry.example.com/web:latest)"
                .to_owned()
        ),
        "{deployables:?}"
    );

    assert_eq!(
        hits(&ev, "deploy.kube-privileged"),
        [at(VALUES, 5, High, M), at(APP, 32, High, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-privilege-escalation"),
        [at(AGENT, 16, Medium, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-run-as-root"),
        [
            at(VALUES, 6, Medium, M),
            at(APP, 13, Medium, H),
            at(APP, 19, Medium, M)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-no-resource-limits"),
        [
            at(VALUES, 8, Low, M),
            at(AGENT, 17, Low, H),
            at(APP, 19, Low, H)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-host-namespace"),
        [
            at(VALUES, 7, Medium, M),
            at(AGENT, 8, Medium, H),
            at(AGENT, 9, High, H),
            at(AGENT, 58, High, H)
        ]
    );
    assert!(
        ev.findings
            .iter()
            .any(|f| f.message.starts_with("Job migrate-* shares the host's IPC")),
        "a generated name is shown with its prefix"
    );
    assert_eq!(
        hits(&ev, "deploy.kube-host-path"),
        [at(AGENT, 25, High, H), at(AGENT, 28, Medium, H)]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-unpinned-image"),
        [
            at(VALUES, 3, Low, M),
            at(AGENT, 14, Low, H),
            at(AGENT, 43, Low, H),
            at(APP, 20, Low, H)
        ]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-env-secret"),
        [at(APP, 22, Medium, M)]
    );
    assert_eq!(
        hits(&ev, "deploy.kube-configmap-secret"),
        [at(APP, 48, Medium, M)]
    );
    assert_eq!(hits(&ev, "deploy.kube-no-probes"), [at(APP, 19, Low, M)]);
    assert_eq!(
        hits(&ev, "deploy.kube-secret-manifest"),
        [at(APP, 56, Medium, M)]
    );
    assert!(hits(&ev, "deploy.config-malformed").is_empty());
    for f in &ev.findings {
        let shown = format!("{} {:?}", f.message, f.excerpt);
        assert!(
            !shown.contains("not-a-real-one")
                && !shown.contains("also-not-real")
                && !shown.contains("c2VjcmV0"),
            "{shown}"
        );
    }
    Ok(())
}

#[test]
fn look_alikes_are_not_flagged() -> anyhow::Result<()> {
    let ev = collect(Some("kube/clean"), &[])?;
    let found: Vec<String> = ev
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.rule, f.location, f.message))
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(
        list(&ev, "deploy.kubernetes-manifests"),
        [
            "base/config.yaml (ConfigMap, Job, SealedSecret, Secret)",
            "base/deployment.yaml (Deployment)",
            "k8s/ui.yaml (Deployment, StatefulSet)",
            "k8s/worker.yaml (Deployment)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.kustomizations"),
        [
            "base/kustomization.yaml (resources: deployment.yaml, config.yaml)",
            "overlays/prod/kustomization.yaml (resources: ../../base; patches: limits.yaml)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.helm-charts"),
        [
            "charts/api/ (api 1.0.0)",
            "charts/api/charts/redis/ (redis 19.0.0, dependency: not analysed)"
        ]
    );
    assert_eq!(
        list(&ev, "deploy.kube-templates-not-analysed"),
        ["charts/api/templates/ (1 file)"]
    );
    Ok(())
}

#[test]
fn a_malformed_manifest_is_reported_and_the_scan_goes_on() -> anyhow::Result<()> {
    let ev = collect(Some("kube/malformed"), &[])?;
    let bad = hits(&ev, "deploy.config-malformed");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].0, "k8s/bad.yaml");
    assert!(bad[0].1 >= 10, "{bad:?}");
    assert_eq!(
        hits(&ev, "deploy.kube-privileged"),
        [at("k8s/good.yaml", 10, Severity::High, Confidence::High)]
    );
    assert_eq!(
        list(&ev, "deploy.kube-templates-not-analysed"),
        ["k8s/templated.yaml"]
    );
    assert_eq!(
        list(&ev, "deploy.kubernetes-manifests"),
        ["k8s/good.yaml (Pod)"]
    );
    Ok(())
}

#[test]
fn no_kubernetes_files_give_empty_lists() -> anyhow::Result<()> {
    let ev = collect(None, &[("config/app.yaml", "name: app\nkind: worker\n")])?;
    for fact in [
        "deploy.kubernetes-manifests",
        "deploy.kustomizations",
        "deploy.helm-charts",
        "deploy.kube-templates-not-analysed",
    ] {
        assert!(list(&ev, fact).is_empty(), "{fact}");
    }
    assert!(!list(&ev, "deploy.platforms").contains(&"kubernetes".to_owned()));
    Ok(())
}

#[test]
fn bundles_up_to_four_mib_are_read_and_larger_ones_say_so() -> anyhow::Result<()> {
    let filler = "x".repeat(2 * 1024 * 1024);
    let bundle = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {filler}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n"
    );
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: {}\n",
        "x".repeat(5 * 1024 * 1024)
    );
    let ev = collect(
        None,
        &[
            ("manifests/install.yaml", bundle.as_str()),
            ("manifests/huge.yaml", huge.as_str()),
            ("data/huge.yaml", huge.as_str()),
        ],
    )?;
    assert_eq!(
        hits(&ev, "deploy.kube-host-namespace"),
        [at(
            "manifests/install.yaml",
            13,
            Severity::High,
            Confidence::High
        )]
    );
    let skipped = hits(&ev, "deploy.config-skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].0, "manifests/huge.yaml");
    Ok(())
}

const IMAGE: &str = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

const HARDENED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      containers:
        - name: web
          image: registry.example.com/web:1.4.2
          securityContext:
            allowPrivilegeEscalation: false
          resources:
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
";

#[test]
fn workloads_that_run_as_non_root_with_probes_lower_the_image_findings() -> anyhow::Result<()> {
    let alone = collect(None, &[("web/Dockerfile", IMAGE)])?;
    let root = hits(&alone, "deploy.docker-root-user");
    assert_eq!(root.len(), 1);
    assert_eq!(root[0].2, Severity::Medium);
    assert_eq!(
        hits(&alone, "deploy.docker-no-healthcheck")[0].2,
        Severity::Low
    );
    assert_eq!(list(&alone, "deploy.container-specs"), ["web/Dockerfile"]);

    let with = collect(
        None,
        &[("web/Dockerfile", IMAGE), ("deploy/web.yaml", HARDENED)],
    )?;
    assert!(hits(&with, "deploy.kube-run-as-root").is_empty());
    assert_eq!(hits(&with, "deploy.docker-root-user")[0].2, Severity::Low);
    assert_eq!(
        hits(&with, "deploy.docker-no-healthcheck")[0].2,
        Severity::Info
    );
    let message = &with
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "deploy.docker-root-user")
        .expect("the image finding stays")
        .message;
    assert!(message.contains("overrides it there"), "{message}");
    assert_eq!(
        list(&with, "deploy.container-specs"),
        ["deploy/web.yaml (Deployment)", "web/Dockerfile"]
    );

    // A pod that may run as root leaves the image finding as it was; a
    // manifest without a workload is no container spec.
    let root_pod = HARDENED.replace(
        "        runAsNonRoot: true\n        runAsUser: 1000\n",
        "        fsGroup: 2000\n",
    );
    let weak = collect(
        None,
        &[
            ("web/Dockerfile", IMAGE),
            ("deploy/web.yaml", &root_pod),
            (
                "deploy/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n",
            ),
        ],
    )?;
    assert!(!hits(&weak, "deploy.kube-run-as-root").is_empty());
    assert_eq!(
        hits(&weak, "deploy.docker-root-user")[0].2,
        Severity::Medium
    );
    assert_eq!(
        hits(&weak, "deploy.docker-no-healthcheck")[0].2,
        Severity::Info
    );
    assert_eq!(
        list(&weak, "deploy.container-specs"),
        ["deploy/web.yaml (Deployment)", "web/Dockerfile"]
    );
    Ok(())
}
