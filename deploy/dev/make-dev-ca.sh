#!/bin/sh
# Makes a development CA and a certificate for 127.0.0.1/localhost, once, for `make run`.
# Never for production: the key of this CA sits next to it, unprotected.
# usage: make-dev-ca.sh DIR
set -eu
dir=$1
if [ -f "$dir/server.pem" ] && [ -f "$dir/ca.pem" ]; then
    exit 0
fi
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/CN=Ward feedback kiosk development CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
    -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext
chmod 600 ca.key server.key
echo "make-dev-ca: made a development CA and server certificate in $dir"
