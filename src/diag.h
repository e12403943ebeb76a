/*
 * diag.h -- the findings catalogue and the way checks report findings.
 *
 * Every problem authcheck reports has a stable ID ("spf.lookup-limit"), a
 * severity, a reference and a fix hint, all in ONE table (DIAG_TABLE below).
 * Checks report a `struct diag` through a sink's callback; renderers only
 * format what they are given and never invent findings.  The man page's
 * FINDINGS section is generated from this table (`authcheck findings
 * --format man`) and a unit test keeps the two identical.
 *
 * IDs are a public interface: never rename or reuse one.
 */
#ifndef AUTHCHECK_DIAG_H
#define AUTHCHECK_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_INFO, DIAG_SEV__COUNT };

/*
 * X(ENUM, "id", SEVERITY, "reference", "title", "fix hint")
 * Grouped by area; the order is the catalogue's order.
 */
#define DIAG_TABLE(X) \
X(SPF_MISSING, "spf.missing", ERROR, "RFC 7208 §4.5", \
  "no v=spf1 TXT record at the domain", \
  "publish one TXT record beginning with \"v=spf1\" at the domain") \
X(SPF_MULTIPLE_RECORDS, "spf.multiple-records", ERROR, "RFC 7208 §4.5", \
  "more than one v=spf1 record (permerror)", \
  "merge the records into a single v=spf1 TXT record") \
X(SPF_SYNTAX, "spf.syntax", ERROR, "RFC 7208 §4.6, §7, §12", \
  "the record does not follow the SPF grammar", \
  "correct the term at the marked position; any syntax error is a permerror") \
X(SPF_NON_ASCII, "spf.non-ascii", ERROR, "RFC 7208 §3.1", \
  "non-ASCII bytes in the record", \
  "remove the non-ASCII characters (often pasted typographic quotes or dashes)") \
X(SPF_DUPLICATE_MODIFIER, "spf.duplicate-modifier", ERROR, "RFC 7208 §6", \
  "redirect= or exp= appears twice", \
  "keep one redirect= and at most one exp=") \
X(SPF_LOOKUP_LIMIT, "spf.lookup-limit", ERROR, "RFC 7208 §4.6.4", \
  "more than 10 DNS-querying terms over the whole tree", \
  "replace includes with ip4/ip6 ranges or drop unused providers") \
X(SPF_LOOKUP_NEAR_LIMIT, "spf.lookup-near-limit", WARNING, "RFC 7208 §4.6.4", \
  "9 or 10 DNS lookups: no headroom for a provider's change", \
  "reduce the lookups so a provider adding an include does not break SPF") \
X(SPF_VOID_LIMIT, "spf.void-limit", ERROR, "RFC 7208 §4.6.4", \
  "more than 2 void lookups (NXDOMAIN or no data)", \
  "remove terms that point at names which do not exist") \
X(SPF_VOID_LOOKUP, "spf.void-lookup", WARNING, "RFC 7208 §4.6.4", \
  "a term's DNS lookup is void (NXDOMAIN or no data)", \
  "remove the term or fix the name it points at") \
X(SPF_MX_LIMIT, "spf.mx-limit", ERROR, "RFC 7208 §4.6.4", \
  "an mx term's MX answer has more than 10 names", \
  "use ip4/ip6 ranges instead of mx for large mail clusters") \
X(SPF_INCLUDE_MISSING, "spf.include-missing", ERROR, "RFC 7208 §5.2", \
  "an include target has no SPF record (permerror)", \
  "fix the include's domain name or remove the include") \
X(SPF_REDIRECT_MISSING, "spf.redirect-missing", ERROR, "RFC 7208 §6.1", \
  "the redirect target has no SPF record", \
  "fix the redirect= domain or publish an SPF record there") \
X(SPF_INCLUDE_LOOP, "spf.include-loop", ERROR, "RFC 7208 §4.6.4", \
  "an include/redirect chain returns to a domain already on the path", \
  "break the loop: a record must not include itself, directly or not") \
X(SPF_PASS_ALL, "spf.pass-all", ERROR, "RFC 7208 §5.1", \
  "+all or all: every host on the Internet passes", \
  "end the record with -all or ~all") \
X(SPF_WIDE_NETWORK, "spf.wide-network", WARNING, "RFC 7208 §5.6", \
  "an ip4 prefix shorter than /8 or ip6 shorter than /24", \
  "authorise only the networks that really send your mail") \
X(SPF_NEUTRAL_ALL, "spf.neutral-all", WARNING, "RFC 7208 §5.1, §8.2", \
  "?all: unauthorised senders get neutral", \
  "end the record with -all or ~all once all senders are listed") \
X(SPF_NO_ALL, "spf.no-all", WARNING, "RFC 7208 §4.7", \
  "neither all nor redirect=: the default result is neutral", \
  "end the record with -all or ~all") \
X(SPF_REDIRECT_WITH_ALL, "spf.redirect-with-all", WARNING, "RFC 7208 §6.1", \
  "redirect= is ignored because the record has all", \
  "remove either the all term or the redirect= modifier") \
X(SPF_TERMS_AFTER_ALL, "spf.terms-after-all", WARNING, "RFC 7208 §5.1", \
  "terms after all are never evaluated", \
  "move all to the end of the record") \
X(SPF_PTR, "spf.ptr", WARNING, "RFC 7208 §5.5", \
  "ptr mechanism or %{p} macro (slow, unreliable, deprecated)", \
  "replace ptr with ip4/ip6 or a mechanisms") \
X(SPF_DUPLICATE_INCLUDE, "spf.duplicate-include", WARNING, "-", \
  "the same include target appears twice in the tree", \
  "remove the repeated include; each costs a lookup") \
X(SPF_TYPE99, "spf.type99", WARNING, "RFC 7208 §14.1", \
  "an SPF (type 99) RR is published; receivers ignore it", \
  "delete the SPF-type record and keep the TXT record") \
X(SPF_RECORD_TOO_LONG, "spf.record-too-long", WARNING, "RFC 7208 §3.4", \
  "the TXT answer at the name exceeds 450 octets", \
  "shorten the records at the name so the answer fits in a 512-octet UDP reply") \
X(SPF_STRING_BOUNDARY, "spf.string-boundary", WARNING, "RFC 7208 §3.3", \
  "a character-string boundary falls inside a term", \
  "split the record between terms and end each string with a space") \
X(SPF_STRING_TOO_LONG, "spf.string-too-long", ERROR, "RFC 1035 §3.3", \
  "one character-string is longer than 255 octets", \
  "split the record into several quoted strings of at most 255 octets") \
X(SPF_EXP_INVALID, "spf.exp-invalid", WARNING, "RFC 7208 §6.2", \
  "the exp= target is missing, multiple, or not a valid explain-string", \
  "publish exactly one TXT record with valid macro text at the exp= name") \
X(SPF_WILDCARD_ALL, "spf.wildcard-all", INFO, "RFC 4592; M3AAWG parked domains BCP", \
  "a wildcard gives every subdomain without records of its own \"v=spf1 -all\"", \
  "nothing to do: no subdomain can be used to send mail in the domain's name") \
X(SPF_WILDCARD_SENDERS, "spf.wildcard-senders", WARNING, "RFC 4592, RFC 7208 §2.1", \
  "a wildcard SPF record authorises senders for every subdomain", \
  "publish *.<domain> TXT \"v=spf1 -all\" and give each subdomain that sends its own record") \
X(SPF_PARKED, "spf.parked", INFO, "M3AAWG parked domains BCP; RFC 7505", \
  "parked domain (sends and receives no mail), fully protected", \
  "nothing to do") \
X(SPF_PARKED_INCOMPLETE, "spf.parked-incomplete", WARNING, "M3AAWG parked domains BCP; RFC 7505", \
  "parked domain (v=spf1 -all alone) without all of the parked-domain records", \
  "publish what the finding names: _dmarc TXT \"v=DMARC1; p=reject; sp=reject\", MX 0 ., * TXT \"v=spf1 -all\", * MX 0 .") \
\
X(DMARC_MISSING, "dmarc.missing", ERROR, "RFC 9989 §4.10", \
  "no DMARC record at _dmarc.<domain> nor via the tree walk", \
  "publish \"v=DMARC1; p=none; rua=mailto:...\" at _dmarc.<domain>, then tighten p") \
X(DMARC_INHERITED, "dmarc.inherited", INFO, "RFC 9989 §4.10.1", \
  "the policy comes from a parent or organizational domain", \
  "publish a record at the domain itself if it needs its own policy") \
X(DMARC_MULTIPLE_RECORDS, "dmarc.multiple-records", ERROR, "RFC 9989 §4.10", \
  "more than one v=DMARC1 record (none applies)", \
  "keep exactly one v=DMARC1 record") \
X(DMARC_SYNTAX, "dmarc.syntax", ERROR, "RFC 9989 §4.8", \
  "v=DMARC1 is not first or the tag list is malformed", \
  "start with v=DMARC1 and separate tag=value pairs with semicolons") \
X(DMARC_INVALID_VALUE, "dmarc.invalid-value", ERROR, "RFC 9989 §4.7", \
  "a known tag has a value outside its grammar", \
  "use one of the values the tag allows (e.g. p=none, quarantine or reject)") \
X(DMARC_DUPLICATE_TAG, "dmarc.duplicate-tag", ERROR, "RFC 9989 §4.8", \
  "a tag appears twice", \
  "keep one occurrence of each tag") \
X(DMARC_UNKNOWN_TAG, "dmarc.unknown-tag", WARNING, "RFC 9989 §4.8", \
  "a tag unknown to RFC 9989 (ignored; often a typo)", \
  "check the tag's spelling or remove it") \
X(DMARC_DEPRECATED_TAG, "dmarc.deprecated-tag", WARNING, "RFC 9989 App. C.5", \
  "pct, rf or ri (removed in RFC 9989)", \
  "remove the tag; use t=y instead of pct for testing") \
X(DMARC_POLICY_NONE, "dmarc.policy-none", WARNING, "RFC 9989 §4.7", \
  "p=none: monitoring only, spoofed mail is delivered", \
  "move to p=quarantine, then p=reject, once reports show legitimate mail aligns") \
X(DMARC_SUBDOMAIN_WEAKER, "dmarc.subdomain-weaker", WARNING, "RFC 9989 §4.7", \
  "sp or np is weaker than p", \
  "raise sp/np to at least the strength of p, or remove them") \
X(DMARC_TESTING, "dmarc.testing", WARNING, "RFC 9989 §4.7", \
  "t=y: the policy is applied one level lower", \
  "remove t=y when testing is over") \
X(DMARC_RUA_MISSING, "dmarc.rua-missing", WARNING, "RFC 9989 §4.7", \
  "no rua: no aggregate reports", \
  "add rua=mailto:<address> to receive aggregate reports") \
X(DMARC_URI_INVALID, "dmarc.uri-invalid", ERROR, "RFC 9989 §4.7", \
  "a rua/ruf entry is not a valid URI", \
  "write each report address as mailto:user@example.com") \
X(DMARC_RUA_UNAUTHORIZED, "dmarc.rua-unauthorized", WARNING, "RFC 9990, RFC 7489 §7.1", \
  "an external report destination lacks <domain>._report._dmarc.<host>", \
  "ask the report host to publish \"v=DMARC1\" at <domain>._report._dmarc.<host>") \
X(DMARC_REPORT_DOMAIN_NO_MX, "dmarc.report-domain-no-mx", WARNING, "-", \
  "a mailto: report domain accepts no mail (no MX or A)", \
  "send reports to a domain that receives mail") \
X(DMARC_WRONG_LOCATION, "dmarc.wrong-location", WARNING, "RFC 9989 §4.10", \
  "a v=DMARC1 record is published somewhere other than _dmarc.", \
  "move the record to _dmarc.<domain>") \
X(DMARC_SIZE_SUFFIX, "dmarc.size-suffix", INFO, "RFC 9989 §4.8", \
  "obsolete !size suffix on a report URI", \
  "remove the !size suffix") \
X(DMARC_WILDCARD_RECORD, "dmarc.wildcard-record", WARNING, "RFC 4592, RFC 9989 §4.10", \
  "the v=DMARC1 record read at a _dmarc name is a wildcard's answer", \
  "publish the policy at _dmarc.<domain> itself and keep v=DMARC1 out of wildcard TXT records") \
\
X(DKIM_MISSING, "dkim.missing", ERROR, "RFC 6376 §3.6.2", \
  "a selector named by the user or a detected provider has no key record", \
  "publish the key at <selector>._domainkey.<domain> or fix the selector name") \
X(DKIM_NONE_FOUND, "dkim.none-found", WARNING, "-", \
  "no DKIM selector found at all", \
  "name your selectors with -s; discovery only tries common names") \
X(DKIM_MULTIPLE_RECORDS, "dkim.multiple-records", ERROR, "RFC 6376 §3.6.2.2", \
  "several TXT records at one selector", \
  "keep exactly one key record per selector") \
X(DKIM_SYNTAX, "dkim.syntax", ERROR, "RFC 6376 §3.2, §3.6.1", \
  "malformed tag list, duplicate tag, or v not first / not DKIM1", \
  "write the key record as \"v=DKIM1; k=rsa; p=<base64>\"") \
X(DKIM_REVOKED, "dkim.revoked", WARNING, "RFC 6376 §3.6.1", \
  "empty p=: the key is revoked", \
  "remove the selector from signers, or publish the current key") \
X(DKIM_INVALID_KEY, "dkim.invalid-key", ERROR, "RFC 6376 §3.6.1", \
  "p= is not base64, not a public key, or does not match k=", \
  "copy the public key again from the signer, without line breaks or quotes") \
X(DKIM_WEAK_KEY, "dkim.weak-key", ERROR, "RFC 8301 §3.2", \
  "RSA key shorter than 1024 bits", \
  "generate a 2048-bit RSA key") \
X(DKIM_KEY_UNDER_2048, "dkim.key-under-2048", WARNING, "RFC 8301 §3.2", \
  "RSA key of 1024 to 2047 bits", \
  "rotate to a 2048-bit RSA key") \
X(DKIM_SHA1_ONLY, "dkim.sha1-only", ERROR, "RFC 8301 §3.1", \
  "h= allows only sha1", \
  "remove h= or set h=sha256") \
X(DKIM_UNKNOWN_KEY_TYPE, "dkim.unknown-key-type", ERROR, "RFC 6376 §3.6.1", \
  "k= is neither rsa nor ed25519", \
  "set k=rsa or k=ed25519 to match the key") \
X(DKIM_PKCS1_KEY, "dkim.pkcs1-key", WARNING, "RFC 6376 erratum 3017", \
  "RSA key published as a bare RSAPublicKey, not SubjectPublicKeyInfo", \
  "publish the key in SubjectPublicKeyInfo form (openssl rsa -pubout)") \
X(DKIM_TESTING, "dkim.testing", WARNING, "RFC 6376 §3.6.1", \
  "t=y testing flag", \
  "remove t=y when testing is over") \
X(DKIM_SERVICE_NOT_EMAIL, "dkim.service-not-email", ERROR, "RFC 6376 §3.6.1", \
  "s= excludes email", \
  "remove s= or set s=email") \
X(DKIM_WILDCARD, "dkim.wildcard", INFO, "RFC 4592", \
  "a wildcard answers TXT under _domainkey: discovery cannot tell which selectors exist", \
  "name the selectors you sign with using -s to check them") \
X(DKIM_NOT_A_KEY, "dkim.not-a-key", ERROR, "RFC 6376 §3.6.1, §3.6.2.2", \
  "the TXT record at a selector named with -s is another kind of record, not a DKIM key", \
  "publish the key at <selector>._domainkey.<domain>, or fix the selector name") \
X(DKIM_ADSP_OBSOLETE, "dkim.adsp-obsolete", INFO, "RFC 5617 (Historic)", \
  "an ADSP record at _adsp._domainkey: ADSP is historic and read by no receiver", \
  "delete the _adsp._domainkey record; DMARC (_dmarc.<domain>) replaced it") \
\
X(MX_MISSING, "mx.missing", WARNING, "RFC 5321 §5.1", \
  "no MX: mail falls back to the A record", \
  "publish MX records, or a null MX (\"0 .\") if the domain takes no mail") \
X(MX_NULL, "mx.null", INFO, "RFC 7505", \
  "null MX: the domain accepts no mail", \
  "nothing to do if the domain really takes no mail") \
X(MX_NULL_MIXED, "mx.null-mixed", ERROR, "RFC 7505 §3", \
  "null MX together with other MX records", \
  "remove either the null MX or the other MX records") \
X(MX_NO_ADDRESS, "mx.no-address", ERROR, "RFC 5321 §5.1", \
  "an MX host has no A or AAAA record", \
  "publish an address for the MX host or point the MX elsewhere") \
X(MX_CNAME, "mx.cname", ERROR, "RFC 2181 §10.3", \
  "an MX target is a CNAME", \
  "point the MX at the canonical host name") \
X(MX_IP_LITERAL, "mx.ip-literal", ERROR, "RFC 1035 §3.3.9", \
  "an MX target is an IP address", \
  "point the MX at a host name that has the address") \
X(MX_DUPLICATE, "mx.duplicate", WARNING, "-", \
  "the same MX host is listed twice", \
  "remove the repeated MX record") \
X(PTR_MISSING, "ptr.missing", WARNING, "RFC 8601 (iprev)", \
  "an MX or sending address has no PTR record", \
  "ask the address's owner (hosting provider) to set a PTR record") \
X(PTR_MISMATCH, "ptr.mismatch", WARNING, "RFC 8601", \
  "the PTR name does not resolve back to the address (FCrDNS fails)", \
  "make the PTR name's A/AAAA record include the address") \
\
X(MTA_STS_SYNTAX, "mta-sts.syntax", ERROR, "RFC 8461 §3.1", \
  "the _mta-sts TXT record is malformed", \
  "publish \"v=STSv1; id=<changing id>\" at _mta-sts.<domain>") \
X(MTA_STS_MULTIPLE_RECORDS, "mta-sts.multiple-records", ERROR, "RFC 8461 §3.1", \
  "more than one v=STSv1 record", \
  "keep exactly one v=STSv1 record") \
X(MTA_STS_POLICY_UNREACHABLE, "mta-sts.policy-unreachable", ERROR, "RFC 8461 §3.3", \
  "the policy is not served over HTTPS with a valid certificate", \
  "serve https://mta-sts.<domain>/.well-known/mta-sts.txt with a valid certificate") \
X(MTA_STS_POLICY_INVALID, "mta-sts.policy-invalid", ERROR, "RFC 8461 §3.2", \
  "the policy file is malformed or a field is out of range", \
  "fix the policy's version, mode, mx and max_age lines") \
X(MTA_STS_MX_NOT_COVERED, "mta-sts.mx-not-covered", ERROR, "RFC 8461 §4.1", \
  "an MX host matches no mx: pattern of an enforce policy", \
  "add the MX host to the policy's mx: lines") \
X(MTA_STS_TESTING, "mta-sts.testing", INFO, "RFC 8461 §5", \
  "the policy mode is testing", \
  "switch to mode: enforce once TLS reports are clean") \
X(TLSRPT_SYNTAX, "tlsrpt.syntax", ERROR, "RFC 8460 §3", \
  "the _smtp._tls TXT record is malformed", \
  "publish \"v=TLSRPTv1; rua=mailto:...\" at _smtp._tls.<domain>") \
X(TLSRPT_MULTIPLE_RECORDS, "tlsrpt.multiple-records", ERROR, "RFC 8460 §3", \
  "more than one v=TLSRPTv1 record", \
  "keep exactly one v=TLSRPTv1 record") \
X(TLSRPT_MISSING, "tlsrpt.missing", INFO, "RFC 8460", \
  "MTA-STS is published without TLS-RPT", \
  "publish a TLS-RPT record to learn about delivery failures") \
X(BIMI_SYNTAX, "bimi.syntax", ERROR, "BIMI draft", \
  "the default._bimi TXT record is malformed", \
  "publish \"v=BIMI1; l=https://...\" at default._bimi.<domain>") \
X(BIMI_LOGO_NOT_HTTPS, "bimi.logo-not-https", ERROR, "BIMI draft", \
  "l= is not an https URI", \
  "serve the logo over https and use that URI in l=") \
X(BIMI_DMARC_NOT_ENFORCED, "bimi.dmarc-not-enforced", WARNING, "BIMI draft", \
  "BIMI is published but DMARC is p=none", \
  "enforce DMARC (p=quarantine or p=reject); receivers ignore BIMI otherwise") \
\
X(SMTP_UNREACHABLE, "smtp.unreachable", ERROR, "RFC 5321 §3.1, §5.1", \
  "no probed address of an MX host accepts a TCP connection on the SMTP port", \
  "start the mail server or open the port in its firewall; senders queue the mail until one address answers") \
X(SMTP_ADDRESS_UNREACHABLE, "smtp.address-unreachable", WARNING, "RFC 5321 §5.1", \
  "one address of an MX host does not accept connections while another does", \
  "serve SMTP on every address the host name has, or remove the dead address from DNS") \
X(SMTP_PORT25_BLOCKED, "smtp.port25-blocked", WARNING, "-", \
  "every connection attempt of the run timed out while DNS answered: outbound port 25 is probably blocked on this network", \
  "run the probe from a network that allows outbound port 25 (many ISPs and clouds block it); the servers may be fine") \
X(SMTP_GREETING_REFUSED, "smtp.greeting-refused", ERROR, "RFC 5321 §3.1, §4.2.5", \
  "the server greets with a refusal (421, 450, 554, ...) instead of 220", \
  "read the quoted text: the server is overloaded, rate-limits or blocklists the client, or is misconfigured") \
X(SMTP_TIMEOUT, "smtp.timeout", ERROR, "RFC 5321 §4.5.3.2", \
  "the server stopped answering during the SMTP dialogue", \
  "check the server's load and any filter or tarpit in front of it; senders give up and retry later") \
X(SMTP_DROPPED, "smtp.dropped", ERROR, "RFC 5321 §3.8", \
  "the server closed the connection in the middle of the dialogue", \
  "check the server's logs for the step named; a crash or a filter closes connections before mail can be sent") \
X(SMTP_BAD_REPLY, "smtp.bad-reply", ERROR, "RFC 5321 §4.2, §4.5.3.1", \
  "the server's reply is not SMTP or exceeds the limits (line length, lines per reply)", \
  "make sure port 25 is served by an SMTP server, not another protocol or a broken proxy") \
X(SMTP_NO_STARTTLS, "smtp.no-starttls", WARNING, "RFC 3207", \
  "the server does not offer STARTTLS: mail to it travels in clear text", \
  "configure a certificate and enable STARTTLS on the server") \
X(SMTP_AUTH_BEFORE_TLS, "smtp.auth-before-tls", WARNING, "RFC 8314 §3.3", \
  "a submission port offers AUTH before TLS: passwords may be sent in clear text", \
  "offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes), or use implicit TLS on port 465") \
X(TLS_HANDSHAKE_FAILED, "tls.handshake-failed", ERROR, "RFC 3207 §4, RFC 8314", \
  "STARTTLS is offered but TLS cannot be established", \
  "fix the server's TLS setup (certificate and key files, protocols, ciphers); senders that require TLS defer the mail") \
X(TLS_CERT_UNTRUSTED, "tls.cert-untrusted", WARNING, "RFC 5280 §6, RFC 8461 §4.2", \
  "the certificate chain does not verify against the trusted CAs", \
  "install a certificate from a public CA with its full intermediate chain") \
X(TLS_CERT_NAME_MISMATCH, "tls.cert-name-mismatch", WARNING, "RFC 6125 §6.4, RFC 8461 §4.2", \
  "the certificate does not name the MX host", \
  "get a certificate whose subjectAltName includes the MX host name (a wildcard covers one left-most label)") \
X(TLS_CERT_EXPIRED, "tls.cert-expired", ERROR, "RFC 5280 §4.1.2.5", \
  "the certificate has expired or is not valid yet", \
  "renew the certificate and reload the mail server") \
X(TLS_CERT_EXPIRING, "tls.cert-expiring", WARNING, "RFC 5280 §4.1.2.5", \
  "the certificate expires within 14 days", \
  "renew the certificate now (check that automatic renewal also reloads the mail server)") \
X(TLS_OLD_PROTOCOL, "tls.old-protocol", WARNING, "RFC 8996", \
  "the best protocol the server negotiates is below TLS 1.2", \
  "enable TLS 1.2 and 1.3 on the server; TLS 1.0 and 1.1 are deprecated") \
X(TLS_MTA_STS_CERT_INVALID, "tls.mta-sts-cert-invalid", ERROR, "RFC 8461 §4.2, §5", \
  "MTA-STS is enforced but the MX presents a certificate that does not verify or does not name it", \
  "install a CA-signed certificate naming the MX host; until then MTA-STS senders refuse to deliver (or set mode: testing)") \
X(DANE_MISMATCH, "dane.mismatch", ERROR, "RFC 7672 §3", \
  "the MX host's TLSA records match no certificate of the chain it presents: DANE senders defer all mail", \
  "publish a TLSA record for the certificate in use (authcheck generate tlsa --cert FILE --host MX), keeping the old one until the new certificate is live") \
X(DANE_INSECURE_TLSA, "dane.insecure-tlsa", WARNING, "RFC 7672 §2.2", \
  "TLSA records in a zone that is not DNSSEC-signed: senders ignore them", \
  "sign the zone holding the TLSA records (and the MX host's addresses) with DNSSEC and publish its DS, or remove the records") \
X(DANE_BAD_USAGE, "dane.bad-usage", WARNING, "RFC 7672 §3.1.3", \
  "a TLSA record with usage 0 (PKIX-TA) or 1 (PKIX-EE), which SMTP senders do not use", \
  "publish usage 3 (DANE-EE) or 2 (DANE-TA) instead: \"3 1 1\" with the SHA-256 of the server's public key is recommended") \
X(DANE_PARTIAL, "dane.partial", WARNING, "RFC 7672 §2.2.1", \
  "some MX hosts publish TLSA records and others do not: DANE protects only part of the mail", \
  "publish TLSA records for every MX host (or for none); senders reach the hosts without them unauthenticated") \
X(DANE_FULL_DATA, "dane.full-data", WARNING, "RFC 6698 §2.1.3, RFC 7672 §3.1.3", \
  "a TLSA record with matching type 0 carries the whole certificate or key instead of its digest", \
  "publish the SHA-256 digest instead (\"3 1 1\"): smaller answers, no fragmented UDP") \
X(DANE_UNUSABLE_TLSA, "dane.unusable-tlsa", WARNING, "RFC 6698 §2.1, RFC 7672 §2.2", \
  "a TLSA record is malformed or unusable (unknown selector or matching type, wrong digest length)", \
  "correct the record: \"3 1 1\" followed by the 64 hex digits of the SHA-256 of the public key (authcheck generate tlsa)") \
X(DNSSEC_BOGUS, "dnssec.bogus", ERROR, "RFC 4035 §5", \
  "an answer the report relies on is signed but does not validate: validating resolvers answer SERVFAIL, so mail to the domain is deferred or bounces", \
  "re-sign the zone (expired or not-yet-valid RRSIG), publish at the parent a DS that matches the zone's key (or remove it), or fix the NSEC/NSEC3 chain") \
X(DNSSEC_INSECURE, "dnssec.insecure", INFO, "RFC 4035 §5.2, RFC 7672 §2.2", \
  "the domain or an MX host lies in a zone that is not signed (a proven unsigned delegation): its answers can be forged and DANE cannot apply", \
  "sign the zone and publish its DS at the parent") \
X(DNSSEC_INDETERMINATE, "dnssec.indeterminate", WARNING, "RFC 4033 §5, RFC 4035 §5", \
  "a record DNSSEC validation needs could not be fetched (a DS or DNSKEY query failed, or the resolver strips signatures): the answers were not validated", \
  "retry, or use --resolver with a DNSSEC-aware resolver; --no-dnssec skips validation") \
\
X(BLOCKLIST_LISTED, "blocklist.listed", ERROR, "RFC 5782", \
  "an MX, sending or SPF-authorised address (or the domain) is on a blocklist that matters for its role", \
  "find and stop the cause (a compromised account or host, a bad list, an open relay), then ask for removal at the list's delisting page") \
X(BLOCKLIST_LISTED_INFO, "blocklist.listed-info", INFO, "RFC 5782", \
  "listed on an informational list, or with a code that is normal for the address's role (a policy list of end-user ranges)", \
  "nothing to do unless the address sends mail directly; then ask its provider or the list to remove the range") \
X(BLOCKLIST_REFUSED, "blocklist.refused", WARNING, "RFC 5782 §2.1", \
  "the list answered with an error code (e.g. 127.255.255.254: query through a public resolver): no answer, not a listing", \
  "query through your own recursive resolver (--resolver), not a public one; for Spamhaus use a free Data Query Service key (--dqs-key)") \
X(BLOCKLIST_UNUSABLE, "blocklist.unusable", WARNING, "RFC 5782 §5", \
  "the list failed its RFC 5782 §5 test points or answered outside 127.0.0.0/8 in this run: its answers are ignored", \
  "use a resolver that does not rewrite NXDOMAIN answers, or drop the list from --blocklists FILE") \
X(BLOCKLIST_NOT_CHECKED, "blocklist.not-checked", INFO, "RFC 5782 §2.1", \
  "some addresses were not looked up: a network over the enumeration cap, a private address, or a cap on names", \
  "look up the mail servers of a large network with --ip, or the network itself with authcheck blocklist NET") \
\
X(ZONE_SYNTAX, "zone.syntax", ERROR, "RFC 1035 §5", \
  "a line of the zone file cannot be parsed", \
  "fix the line; the rest of the file is still checked") \
X(ZONE_CNAME_AND_OTHER_DATA, "zone.cname-and-other-data", ERROR, "RFC 1034 §3.6.2", \
  "a CNAME shares its owner name with other records", \
  "remove the CNAME or the other records at that name") \
X(ZONE_OUTSIDE_LOOKUPS, "zone.outside-lookups", INFO, "-", \
  "the lookup count is a lower bound: names outside the zone were not resolved", \
  "run authcheck against the live domain for the full count") \
X(ZONE_SOA_NOT_AT_TOP, "zone.soa-not-at-top", ERROR, "RFC 1035 §5.2", \
  "the SOA is not at the zone's name (owned by the root, or a name without its final dot): named refuses the zone", \
  "write the zone's name with a final dot as the SOA's owner, or @ after $ORIGIN <zone>.") \
X(ZONE_CNAME_OUTSIDE, "zone.cname-outside", INFO, "RFC 6376 §3.6.2.2", \
  "a DKIM or DMARC name is a CNAME to a name outside the zone: that record is not checked offline", \
  "run authcheck zone --live (or --zone FILE of the target's zone) to check the record it points to") \
X(ZONE_UNCHECKED_TYPE, "zone.unchecked-type", WARNING, "RFC 3597 §5", \
  "records of a registered type whose data authcheck does not check", \
  "check those records with named-checkzone; authcheck only counts them") \
X(ZONE_DUPLICATE_RECORD, "zone.duplicate-record", INFO, "RFC 2181 §5", \
  "the same record (owner, class, type and data) appears again; servers keep one", \
  "delete the repeated line (often a copy in two $INCLUDEd files)") \
X(DNS_FAILURE, "dns.failure", WARNING, "RFC 7208 §2.6.6", \
  "a query timed out or failed (SERVFAIL/REFUSED): the result is incomplete", \
  "retry later, or use --resolver, --timeout and --retries")

enum diag_id {
#define DIAG_X_ENUM(e, id, sev, ref, title, hint) DIAG_##e,
	DIAG_TABLE(DIAG_X_ENUM)
#undef DIAG_X_ENUM
	DIAG__COUNT
};

/* One catalogue entry.  All strings are static. */
struct diag_info {
	const char *id;			/* "spf.missing" */
	enum diag_severity severity;
	const char *ref;		/* "RFC 7208 §4.5", "-" when none */
	const char *title;		/* what is wrong, lower case, no period */
	const char *hint;		/* how to fix it, one line */
};

/* The entry for id (never NULL for a valid id; NULL when out of range). */
const struct diag_info *diag_info(enum diag_id id);
/* Find an ID by its name (p[0..len), case-sensitive).  Returns false when
 * no finding has that name. */
bool diag_lookup(const char *p, size_t len, enum diag_id *out);
/* "error", "warning", "info"; "?" when out of range. */
const char *diag_severity_name(enum diag_severity s);
/* Parse a severity name; false when unknown. */
bool diag_severity_parse(const char *p, size_t len, enum diag_severity *out);

/* A byte range in the record or line a finding is about. */
struct diag_span {
	size_t off, len;
};

/*
 * One reported finding.  Every pointer is borrowed from the reporter and
 * only valid during the callback: a sink that keeps findings copies them
 * (see diag_list).
 */
struct diag {
	enum diag_id id;
	const char *message;	/* specific text; NULL = the catalogue title */
	const char *domain;	/* owner name the finding is about, or NULL */
	const char *record;	/* the record text, or NULL */
	size_t record_len;	/* the record may hold NUL bytes */
	bool has_span;		/* span is meaningful */
	struct diag_span span;	/* within record */
	const char *file;	/* zone file, or NULL */
	unsigned long line;	/* line in file, 0 = none */
	const char *fix;	/* a fix for this very finding (often the
				 * corrected record), or NULL: the
				 * catalogue's hint applies */
};

typedef void diag_cb(void *arg, const struct diag *d);

/* Where checks send findings.  Counts per severity are kept so that the
 * exit status can be decided without a second walk. */
struct diag_sink {
	diag_cb *cb;		/* may be NULL: count only */
	void *arg;
	unsigned long count[DIAG_SEV__COUNT];
	bool oom;		/* a check ran out of memory building a
				 * finding (its fix): the findings differ
				 * from a full run's */
};

/* Start a sink with zero counts; cb(arg, d) receives each finding. */
void diag_sink_init(struct diag_sink *s, diag_cb *cb, void *arg);
/* Deliver d to the sink's callback and count it. */
void diag_report(struct diag_sink *s, const struct diag *d);
/* Report finding `id` with a formatted message; ctx (may be NULL) supplies
 * domain, record, span, file and line.  The message is truncated at 1 KiB. */
void diag_reportf(struct diag_sink *s, enum diag_id id, const struct diag *ctx,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Report finding `id` about the record rec[0..rec_len) at the span
 * [off, off + n), cut to fit the record; rec NULL: no record, no span.
 * ctx (may be NULL) supplies domain, file and line; a NULL sink drops the
 * finding.  The message is truncated at 511 bytes.  What every record
 * parser needs to point at a byte range. */
void diag_report_at(struct diag_sink *s, const struct diag *ctx,
    enum diag_id id, const char *rec, size_t rec_len, size_t off, size_t n,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* The same with a va_list, for a parser's own reporting wrapper. */
void diag_vreport_at(struct diag_sink *s, const struct diag *ctx,
    enum diag_id id, const char *rec, size_t rec_len, size_t off, size_t n,
    const char *fmt, va_list ap) __attribute__((format(printf, 8, 0)));

/*
 * A sink target that keeps copies of findings, for renderers that print
 * after the checks are done.  At most `max` findings are kept (the rest
 * are counted in `dropped`) so hostile input cannot grow it without bound.
 */
struct diag_list {
	struct diag *v;		/* owned copies; strings owned by the list */
	size_t n, cap, max;
	unsigned long dropped;
	bool oom;		/* an allocation failed; some were lost */
};

void diag_list_init(struct diag_list *l, size_t max);
void diag_list_free(struct diag_list *l);
/* Remove (and free) every finding of l for which drop(id) is true,
 * keeping the others in order.  Returns how many went. */
size_t diag_list_drop(struct diag_list *l, bool (*drop)(enum diag_id id));
/* A diag_cb: arg is the struct diag_list. */
void diag_list_add(void *arg, const struct diag *d);

/* Catalogue formats for `authcheck findings`. */
enum diag_catalogue_format {
	DIAG_CAT_TEXT,		/* ID, severity, reference, title: one a line */
	DIAG_CAT_MAN		/* roff, the man page's FINDINGS section body */
};

/* Write the whole catalogue to out.  Returns 0, or -1 on a write error. */
int diag_catalogue_write(FILE *out, enum diag_catalogue_format fmt);

#endif
