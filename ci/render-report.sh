#!/usr/bin/env bash
# Renders a lockstep report page in headless Chromium: a PNG screenshot and the DOM after load, then checks that
# the page shows the summary table, the three performance charts, where the parallel time goes (chart and tables)
# and the speedup history chart.
#
#   ci/render-report.sh REPORT [OUT_DIR]
#
# REPORT is a report directory (holding index.html), a root holding latest/, or an index.html file. OUT_DIR
# (default: the report's directory) receives report.png and report.dom.html. Installs Debian's `chromium` with
# apt-get when no Chromium is on PATH (set LOCKSTEP_NO_INSTALL=1 to fail instead). The page must load with the
# network shut off: every request goes to an unroutable proxy, so an external script, font or image would be
# missing from the screenshot and the DOM.
#
# Exit status: 0 rendered and checked, 1 a check failed, 2 usage or no browser.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 REPORT [OUT_DIR]" >&2
    exit 2
fi
input=$1
if [ -d "$input" ]; then
    if [ -f "$input/index.html" ]; then html="$input/index.html"; else html="$input/latest/index.html"; fi
else
    html=$input
fi
if [ ! -f "$html" ]; then
    echo "no index.html at $input" >&2
    exit 2
fi
html=$(cd "$(dirname "$html")" && pwd -P)/$(basename "$html")
out=${2:-$(dirname "$html")}
mkdir -p "$out"

find_browser() {
    for b in chromium chromium-browser google-chrome-stable google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
    done
    return 1
}

if ! browser=$(find_browser); then
    if [ "${LOCKSTEP_NO_INSTALL:-0}" = "1" ]; then
        echo "no Chromium on PATH (LOCKSTEP_NO_INSTALL=1: not installing)" >&2
        exit 2
    fi
    echo "installing Debian's chromium package" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium >/dev/null
    browser=$(find_browser) || { echo "chromium still not found after apt-get install" >&2; exit 2; }
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars
       --no-first-run --no-default-browser-check --user-data-dir="$profile"
       --proxy-server="http://127.0.0.1:9" --proxy-bypass-list="<-loopback>"
       --host-resolver-rules="MAP * ~NOTFOUND")

"$browser" "${flags[@]}" --window-size=1280,2600 --screenshot="$out/report.png" "file://$html" >/dev/null 2>&1
"$browser" "${flags[@]}" --dump-dom "file://$html" > "$out/report.dom.html" 2>/dev/null

status=0
check() {
    if ! grep -q -- "$1" "$out/report.dom.html"; then
        echo "missing from the rendered DOM: $2" >&2
        status=1
    fi
}
check 'id="summary"' "the summary table (table#summary)"
check 'id="chart-suites"' "the results-by-suite chart (svg#chart-suites)"
check 'id="chart-speedup-threads"' "the speedup-against-threads chart (svg#chart-speedup-threads)"
check 'id="chart-speedup-hot"' "the speedup-against-hot-ratio chart (svg#chart-speedup-hot)"
check 'id="chart-time-split"' "the where-the-time-goes chart (svg#chart-time-split)"
check 'id="time-split"' "the time split per executor and block (table#time-split)"
check 'id="contended"' "the most contended locations (table#contended)"
check 'id="chart-history"' "the speedup history chart (svg#chart-history)"
# Not only there, but drawn: the time split has bars, the history at least one point, the contended table rows.
drawn() {  # ID WHAT REASON: the element with that id, up to its closing tag, contains WHAT
    local end='</svg>'; case $1 in chart-*) ;; *) end='</table>' ;; esac
    # The element is read whole before it is searched: `awk ... | grep -q` under pipefail fails whenever grep
    # stops at its first match while awk is still writing (SIGPIPE), which a long table makes likely.
    local element
    element=$(awk -v s="id=\"$1\"" -v e="$end" 'index($0, s) { on = 1; $0 = substr($0, index($0, s)) }
            on { i = index($0, e); if (i) { print substr($0, 1, i); exit } print }' "$out/report.dom.html")
    if ! grep -q -- "$2" <<< "$element"; then
        echo "nothing drawn in #$1 (no $2): $3" >&2
        status=1
    fi
}
drawn chart-time-split '<rect' "no profiled parallel run"
drawn chart-history '<circle' "no speedup in the history"
if [ "${LOCKSTEP_EXPECT_CONTENTION:-1}" = "1" ]; then
    drawn contended '<code>' "no contended location (set LOCKSTEP_EXPECT_CONTENTION=0 for a suite without conflicts)"
fi
if grep -qiE '<script[ >]' "$out/report.dom.html"; then
    echo "the rendered DOM contains a script element" >&2
    status=1
fi
if [ ! -s "$out/report.png" ] || [ "$(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
    echo "no PNG screenshot at $out/report.png" >&2
    status=1
fi
if [ $status -eq 0 ]; then
    echo "rendered $html with $("$browser" --version 2>/dev/null || echo "$browser"): $out/report.png, $out/report.dom.html"
fi
exit $status
