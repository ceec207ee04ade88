#!/usr/bin/env bash
# Screenshots of the main pages for the README (home, device list, a device's overview with its live charts, the
# template pages once they exist, the audit log), 1280x800 PNGs written into docs/screenshots/. Runs the suite's
# ScreenshotTests, which start the server on a fresh temporary data folder with the first-run demo on (the Climate
# Monitor template and five simulated devices), sign in through the sign-in page and drive Debian's chromium
# (/usr/bin/chromium) with Playwright for .NET; in the suite the same test writes to a temporary folder.
#
#   bench/screenshots.sh [folder=docs/screenshots]
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:-docs/screenshots}
mkdir -p "$folder"
start=$(date +%s)
CENTRUM_SCREENSHOTS=$folder \
  dotnet test tests/Centrum.IntegrationTests --filter "FullyQualifiedName~ScreenshotTests" --logger "console;verbosity=normal" \
  | grep -E "^ *(Passed|Failed) |Passed!|Failed!|error"
echo "screenshots: $(ls "$folder"/*.png | wc -l) pages in $folder, $(( $(date +%s) - start )) s (build included)"
ls -l "$folder"/*.png
