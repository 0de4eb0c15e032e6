#!/bin/sh
# Test certificates for t_tls: sh tests/integration/tls_certs.sh DIR
#
# Writes into DIR (PEM, keys mode 600, EC P-256 so it takes well under a
# second):
#   ca.pem                 the test CA that the clients are told to trust
#   server.pem, .key       signed by ca.pem for localhost and 127.0.0.1 (SAN)
#   wronghost.pem, .key    signed by ca.pem, but for wrong.example only
#   rogue-ca.pem           a second CA nobody is told to trust
#   rogue.pem, .key        signed by rogue-ca.pem for localhost and 127.0.0.1:
#                          the right names, an unknown issuer
#   client.pem, .key       a client certificate signed by ca.pem (CN migrator)
# Nothing is read from the system's OpenSSL configuration.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
D=$1
mkdir -p "$D"
cd "$D"
umask 077

# key NAME: a new P-256 private key in NAME.key
key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null
}

# ca NAME CN: a self-signed CA certificate NAME.pem
ca() {
	key "$1"
	openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf NAME CN ISSUER EXT: NAME.pem for CN signed by ISSUER with the
# extensions EXT (subjectAltName, extendedKeyUsage)
leaf() {
	key "$1"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "$4" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial \
		-out "$1.pem" -days 2 -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

ca ca "mariadb-sync test CA"
ca rogue-ca "unknown test CA"
leaf server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf wronghost wrong.example ca "subjectAltName=DNS:wrong.example
extendedKeyUsage=serverAuth"
leaf rogue localhost rogue-ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client migrator ca "extendedKeyUsage=clientAuth"
rm -f ./*.srl
# certificates are public; the servers' users must read them
chmod 644 ./*.pem
