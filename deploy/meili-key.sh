#!/bin/sh
# Run once by docker-compose.yml's meili-key service, the only place that
# holds Meilisearch's master key besides Meilisearch itself: creates the API
# key described in meili-key.json (Verbatim's index and actions only; it
# cannot manage keys) and writes its value to $KEY_FILE, which the verbatim
# service reads through VERBATIM_MEILI_KEY_FILE. The key's uid is fixed
# (MEILI_APP_KEY_UID), so a second run finds the same key.
# https://www.meilisearch.com/docs/reference/api/keys#create-a-key
set -eu
: "${MEILI_URL:?}" "${MEILI_MASTER_KEY:?}" "${MEILI_APP_KEY_UID:?}" "${VERBATIM_MEILI_INDEX:?}" "${KEY_FILE:?}"
auth="Authorization: Bearer $MEILI_MASTER_KEY"
body=$(sed -e "s/@UID@/$MEILI_APP_KEY_UID/g" -e "s/@INDEX@/$VERBATIM_MEILI_INDEX/g" /deploy/meili-key.json)
code=$(curl -sS -o /tmp/answer -w '%{http_code}' -X POST "$MEILI_URL/keys" \
	-H "$auth" -H 'Content-Type: application/json' --data "$body")
case "$code" in
201) echo "meili-key: created the application key $MEILI_APP_KEY_UID" ;;
409) echo "meili-key: the application key $MEILI_APP_KEY_UID exists" ;;
*) echo "meili-key: POST /keys answered $code:"; cat /tmp/answer; exit 1 ;;
esac
curl -fsS "$MEILI_URL/keys/$MEILI_APP_KEY_UID" -H "$auth" -o /tmp/answer
key=$(sed -n 's/.*"key": *"\([^"]*\)".*/\1/p' /tmp/answer)
if [ -z "$key" ]; then
	echo "meili-key: no key in GET /keys/$MEILI_APP_KEY_UID's answer"; exit 1
fi
umask 077
printf '%s' "$key" > "$KEY_FILE.tmp"
chown 10001:10001 "$KEY_FILE.tmp" # the verbatim image's user
mv "$KEY_FILE.tmp" "$KEY_FILE"
