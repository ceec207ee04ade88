# Shared by the bench scripts: build the Release binaries, the server's settings for a loopback address of the
# script's own, and starting the server on a fresh data folder until it is ready. Source it after `cd` to the
# repository root; it expects $work (a temporary folder the script removes on exit).
#
#   bench_build src/Centrum.Server bench/Centrum.LoadGen
#   bench_settings 127.0.80.1 [https=8443] [mqtt=8883] [management=9464]   # sets $server, $loadgen, settings=(…), $management
#   bench_start_server <log name> [extra server arguments…]                  # sets $server_pid; fails with the log if it dies
#   bench_start_mosquitto 127.0.78.1                                        # mosquitto 2 on 8883 with a certificate of the
#                                                                           # server's CA (after bench_start_server); sets $mosquitto_pid

bench_build() {
  # Quiet unless it fails: then the compiler's messages, not a script that stops without a word.
  for project in "$@"; do
    dotnet build -c Release "$project" -v quiet -nologo > "$work/build.log" 2>&1 || { grep -E "error|Error" "$work/build.log" >&2; return 1; }
  done
}

bench_settings() {
  local ip=$1 https=${2:-8443} mqtt=${3:-8883} management_port=${4:-9464}
  server="dotnet src/Centrum.Server/bin/Release/net10.0/centrum.dll"
  loadgen="dotnet bench/Centrum.LoadGen/bin/Release/net10.0/Centrum.LoadGen.dll"
  management="http://$ip:$management_port"
  settings=(--Centrum:Storage:DataFolder="$work/data" --Centrum:Network:HostNames:0=centrum.bench
            --Centrum:Network:ListenAddresses:0="$ip" --Centrum:Network:MqttPort="$mqtt" --Centrum:Network:HttpsPort="$https"
            --Centrum:Network:ManagementUrl="$management" --Logging:LogLevel:Default=Warning)
}

bench_start_server() {
  local log=$1; shift
  $server "${settings[@]}" "$@" > "$work/$log.log" 2>&1 &
  server_pid=$!
  until curl -sf "$management/health/ready" >/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$log.log" >&2; exit 1; }
    sleep 0.2
  done
}

bench_start_mosquitto() {
  local ip=$1
  command -v mosquitto >/dev/null || { echo "mosquitto is missing: apt-get install -y mosquitto" >&2; exit 1; }
  # mosquitto gets a certificate from the same CA, for its own address.
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$ip" \
    -keyout "$work/m.key" -out "$work/m.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\n' "$ip" > "$work/m.ext"
  openssl x509 -req -in "$work/m.csr" -CA "$work/data/certificates/ca.pem" -CAkey "$work/data/certificates/ca.key.pem" \
    -CAcreateserial -days 2 -extfile "$work/m.ext" -out "$work/m.pem" 2>/dev/null
  cat > "$work/mosquitto.conf" <<CONF
persistence false
user root
log_dest stderr
listener 8883 $ip
cafile $work/data/certificates/ca.pem
certfile $work/m.pem
keyfile $work/m.key
allow_anonymous true
max_keepalive 65535
CONF
  mosquitto -c "$work/mosquitto.conf" 2> "$work/mosquitto.log" &
  mosquitto_pid=$!
  for _ in $(seq 50); do grep -q "running" "$work/mosquitto.log" && break; sleep 0.1; done
}
