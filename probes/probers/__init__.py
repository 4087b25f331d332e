"""Probers: sending probe packets and matching the answers, one module per probe type, all
with one shape (attempt.py). They know nothing of the database or the schedule: the runner
(probes.running.runner) hands them attempts, already paced and timed.

- attempt.py: one probe (an attempt) to a target, its outcomes, the round context probers
  report to, and the Prober protocol;
- registry.py: the probe types by method name (an unknown name is an error);
- ports.py: TCP port lists as configured; each prober says which ports its probes go to;
- icmp.py: ICMP echo (IPv4 and IPv6);
- tcp_syn.py: TCP SYN, half-open: SYN-ACK is open, RST closed;
- tcp_connect.py: TCP connect, the fallback without raw-socket rights;
- rawsock.py: raw sockets: opening them, receive buffers, kernel timestamps, permission;
- http.py: HTTP(S) checks of websites (status, phase times, redirects, TLS, freshness):
  a whole request per check rather than packets, so it has its own shape;
- tls_certificate.py: a website's certificate judged, even when verification failed;
- page_freshness.py: the Last-Modified header and the newest date written in a page.
"""
