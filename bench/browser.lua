-- A browser-like request: the eight headers a browser sends besides Host (about 450 bytes).
wrk.headers["Connection"] = "keep-alive"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9,de;q=0.8"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
wrk.headers["Cookie"] = "session=3f2a9c1e8b7d4f60a1b2c3d4e5f60718; theme=dark; consent=yes"
wrk.headers["Referer"] = "http://127.0.0.1/index.html"
wrk.headers["Upgrade-Insecure-Requests"] = "1"
