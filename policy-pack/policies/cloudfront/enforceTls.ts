import { TRANSMISSION } from "../lib/levels";
import { resourcePolicy } from "../lib/policy";
import { list, obj, strings } from "../lib/props";
import { WEAK_ORIGIN_PROTOCOLS, cloudfrontMinimumTls } from "../lib/tls";

/**
 * CloudFront in transit, viewer side and origin side. AWS: "Requiring HTTPS for communication
 * between viewers and CloudFront" and "... between CloudFront and your custom origin",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https.html
 */
export const cloudfrontDistributionEnforceTls = resourcePolicy(
  {
    name: "cloudfront-distribution-enforce-tls",
    description:
      "CloudFront distributions send viewers to HTTPS on every cache behavior (no allow-all), accept nothing below TLS 1.2 from viewers (a custom certificate with minimumProtocolVersion TLSv1.2_2021 or later; the default certificate allows TLS 1.0), and reach custom origins over HTTPS (no http-only, no match-viewer behind allow-all) with no origin protocol below TLS 1.2.",
    enforcementLevel: "mandatory",
    severity: "high",
    hipaa: [...TRANSMISSION],
    remediationSteps:
      'viewerProtocolPolicy "redirect-to-https" (or "https-only") on every behavior; viewerCertificate { acmCertificateArn, sslSupportMethod "sni-only", minimumProtocolVersion "TLSv1.2_2021" }; customOriginConfig { originProtocolPolicy "https-only", originSslProtocols ["TLSv1.2"] }.',
    levelReason:
      "A CDN in front of PHI that speaks plaintext or TLS 1.0 on either side exposes it in transit.",
  },
  {
    "aws:cloudfront/distribution:Distribution": (r, report) => {
      const behaviors = [
        { at: "defaultCacheBehavior", b: obj(r.props.defaultCacheBehavior) },
        ...list(r.props.orderedCacheBehaviors).map((b, i) => ({
          at: `orderedCacheBehaviors[${i}]`,
          b,
        })),
      ];
      const allowAll = behaviors.filter(
        ({ b }) => String(b?.viewerProtocolPolicy ?? "allow-all") === "allow-all",
      );
      for (const { at } of allowAll)
        report(
          `${r.name} serves viewers over plain HTTP (${at}.viewerProtocolPolicy allow-all): set it to "redirect-to-https"`,
        );
      const min = cloudfrontMinimumTls(obj(r.props.viewerCertificate));
      if (min === undefined || min < 1.2)
        report(
          `${r.name} accepts viewers on TLS ${min === undefined ? "versions it does not state" : min.toFixed(1)}${obj(r.props.viewerCertificate)?.cloudfrontDefaultCertificate === true ? " (the default *.cloudfront.net certificate allows TLS 1.0)" : ""}: use an ACM certificate with viewerCertificate.minimumProtocolVersion "TLSv1.2_2021"`,
        );
      list(r.props.origins).forEach((o, i) => {
        const custom = obj(o.customOriginConfig);
        if (!custom) return;
        const policy = String(custom.originProtocolPolicy ?? "");
        if (policy === "http-only" || (policy === "match-viewer" && allowAll.length))
          report(
            `${r.name} reaches origin ${String(o.originId ?? i)} over plain HTTP (origins[${i}].customOriginConfig.originProtocolPolicy ${policy}): set it to "https-only"`,
          );
        const weak = strings(custom.originSslProtocols).filter((p) =>
          WEAK_ORIGIN_PROTOCOLS.includes(p),
        );
        if (weak.length)
          report(
            `${r.name} lets origin ${String(o.originId ?? i)} negotiate ${weak.join(", ")}: set origins[${i}].customOriginConfig.originSslProtocols to ["TLSv1.2"]`,
          );
      });
    },
  },
);
