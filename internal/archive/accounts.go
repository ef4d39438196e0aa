package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Account is an editor or admin, stored at accounts/<name>.json. Only
// hashes are stored: bcrypt for the password, SHA-256 for API tokens (they
// are long random strings, so a fast hash is enough).
type Account struct {
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	PasswordHash string     `json:"password_hash,omitempty"`
	Tokens       []APIToken `json:"tokens"`
	CreatedAt    time.Time  `json:"created_at"`
	// SessionEpoch is bumped to revoke every web session issued before
	// (sign-out, password change).
	SessionEpoch int64 `json:"session_epoch"`
}

// APIToken is the stored form of a token.
type APIToken struct {
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// tokenRef maps a token hash to its account, so a request is authenticated
// with two reads instead of a scan of every account.
type tokenRef struct {
	Account string `json:"account"`
}

const (
	accountsPrefix = "accounts/"
	tokenPrefix    = "vbt_"
	minPassword    = 10
)

var accountName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

func accountKey(name string) string { return accountsPrefix + name + ".json" }
func tokenKey(hash string) string   { return accountsPrefix + "tokens/" + hash + ".json" }

// AddAccount creates an account and returns its first API token, the only
// time the token exists in clear. It only writes objects, so it works while
// a server runs on the same store. password may be nil (API access only).
func (s *Service) AddAccount(ctx context.Context, name string, role Role, password []byte) (string, error) {
	if !accountName.MatchString(name) || name == "tokens" {
		return "", fmtErr("add account", fmt.Sprintf("%q", name), ErrInvalid, "a name is 1-64 characters of a-z, 0-9, '.', '_' and '-'")
	}
	if !role.Valid() {
		return "", fmtErr("add account", name, ErrInvalid, fmt.Sprintf("role %q is not editor or admin", role))
	}
	acc := Account{Name: name, Role: role, CreatedAt: s.now().UTC(), Tokens: []APIToken{}}
	if password != nil {
		if len(password) < minPassword || len(password) > 72 {
			return "", fmtErr("add account", name, ErrInvalid, fmt.Sprintf("a password has %d to 72 bytes", minPassword))
		}
		h, err := bcrypt.GenerateFromPassword(password, s.pwCost)
		if err != nil {
			return "", fmt.Errorf("archive: add account %s: %w", name, err)
		}
		acc.PasswordHash = string(h)
	}
	token, hash := newToken()
	acc.Tokens = append(acc.Tokens, APIToken{SHA256: hash, CreatedAt: acc.CreatedAt})
	// The token reference first: an account never lists a token that
	// cannot be resolved.
	if err := s.putJSON(ctx, tokenKey(hash), tokenRef{Account: name}, PutOptions{IfNoneMatch: true}); err != nil {
		return "", err
	}
	err := s.putJSON(ctx, accountKey(name), acc, PutOptions{IfNoneMatch: true})
	if err != nil {
		s.removeOrphan(tokenKey(hash))
		if errors.Is(err, ErrPrecondition) {
			return "", fmtErr("add account", name, ErrConflict, "the account exists")
		}
		return "", err
	}
	return token, nil
}

// Authenticate resolves an API token to its account. Unknown, revoked or
// malformed tokens are ErrUnauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	deny := fmtErr("authenticate", "", ErrUnauthorized, "unknown or revoked token")
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return Principal{}, deny
	}
	hash := hashToken(token)
	var ref tokenRef
	if err := s.getJSON(ctx, tokenKey(hash), &ref); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Principal{}, deny
		}
		return Principal{}, err
	}
	acc, err := s.account(ctx, ref.Account)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, deny
	}
	if err != nil {
		return Principal{}, err
	}
	for _, t := range acc.Tokens {
		if subtle.ConstantTimeCompare([]byte(t.SHA256), []byte(hash)) == 1 {
			return Principal{Name: acc.Name, Role: acc.Role}, nil
		}
	}
	return Principal{}, deny
}

// CheckPassword verifies a web-login password. Wrong name and wrong
// password are the same ErrUnauthorized, in the same time (see SignIn).
func (s *Service) CheckPassword(ctx context.Context, name string, password []byte) (Principal, error) {
	p, _, err := s.SignIn(ctx, name, password)
	return p, err
}

func (s *Service) account(ctx context.Context, name string) (Account, error) {
	var acc Account
	err := s.getJSON(ctx, accountKey(name), &acc)
	return acc, err
}

func newToken() (token, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Service) putJSON(ctx context.Context, key string, v any, opts PutOptions) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("archive: encode %s: %w", key, err)
	}
	opts.ContentType = "application/json"
	if _, err := s.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), opts); err != nil {
		return fmt.Errorf("archive: write %s: %w", key, err)
	}
	return nil
}

func (s *Service) getJSON(ctx context.Context, key string, v any) error {
	data, err := s.readSmall(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("archive: decode %s: %w", key, err)
	}
	return nil
}
