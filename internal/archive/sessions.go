package archive

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// sessionKeyKey holds the key that signs web sessions when the operator
// configured none. It is created once, conditionally, so every instance on
// one store signs with the same key without talking to the others.
const sessionKeyKey = "secrets/session-key.json"

type storedKey struct {
	Key       string    `json:"key"` // base64, 32 bytes
	CreatedAt time.Time `json:"created_at"`
}

// SessionKey returns the session-signing key kept in storage, creating it
// on first use. Two instances racing to create it both end up with the one
// that won the conditional create.
func (s *Service) SessionKey(ctx context.Context) ([]byte, error) {
	for attempt := 0; attempt < 3; attempt++ {
		var sk storedKey
		err := s.getJSON(ctx, sessionKeyKey, &sk)
		if err == nil {
			key, err := base64.StdEncoding.DecodeString(sk.Key)
			if err != nil || len(key) < 32 {
				return nil, fmt.Errorf("archive: %s holds no valid key", sessionKeyKey)
			}
			return key, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		var key [32]byte
		_, _ = rand.Read(key[:])
		sk = storedKey{Key: base64.StdEncoding.EncodeToString(key[:]), CreatedAt: s.now().UTC()}
		err = s.putJSON(ctx, sessionKeyKey, sk, PutOptions{IfNoneMatch: true})
		if err == nil {
			return key[:], nil
		}
		if !errors.Is(err, ErrPrecondition) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("archive: session key: %w", ErrConflict)
}

// Session is what a signed session cookie asserts: an account and the
// session epoch it was issued in. Bumping the account's epoch (sign-out,
// password change, removal) revokes every session issued before.
type Session struct {
	Name  string
	Epoch int64
}

// SignIn checks a web-login password and returns the account and its
// current session epoch. Unknown name, account without password and wrong
// password are the same ErrUnauthorized, after the same bcrypt work.
func (s *Service) SignIn(ctx context.Context, name string, password []byte) (Principal, Session, error) {
	deny := fmtErr("sign in", "", ErrUnauthorized, "wrong name or password")
	hash := s.dummyHash()
	var acc Account
	if accountName.MatchString(name) {
		a, err := s.account(ctx, name)
		switch {
		case err == nil:
			acc = a
			if a.PasswordHash != "" {
				hash = []byte(a.PasswordHash)
			}
		case !errors.Is(err, ErrNotFound):
			return Principal{}, Session{}, err
		}
	}
	ok := bcrypt.CompareHashAndPassword(hash, password) == nil
	if !ok || acc.PasswordHash == "" {
		return Principal{}, Session{}, deny
	}
	return Principal{Name: acc.Name, Role: acc.Role}, Session{Name: acc.Name, Epoch: acc.SessionEpoch}, nil
}

// dummyHash is a bcrypt hash at the service's cost that no password
// matches, compared against when there is no real one so that a missing
// account takes as long to refuse as a wrong password.
func (s *Service) dummyHash() []byte {
	s.dummy.once.Do(func() {
		var pw [32]byte
		_, _ = rand.Read(pw[:])
		h, err := bcrypt.GenerateFromPassword([]byte(base64.RawStdEncoding.EncodeToString(pw[:])[:40]), s.pwCost)
		if err != nil {
			h = []byte("$2a$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva")
		}
		s.dummy.hash = h
	})
	return s.dummy.hash
}

// SessionPrincipal resolves a verified session to its account, checking on
// every request that the account still exists and has not ended its
// sessions since. A revoked session is ErrUnauthorized.
func (s *Service) SessionPrincipal(ctx context.Context, sess Session) (Principal, error) {
	deny := fmtErr("session", "", ErrUnauthorized, "the session has ended; sign in again")
	if !accountName.MatchString(sess.Name) {
		return Principal{}, deny
	}
	acc, err := s.account(ctx, sess.Name)
	if errors.Is(err, ErrNotFound) {
		return Principal{}, deny
	}
	if err != nil {
		return Principal{}, err
	}
	if acc.SessionEpoch != sess.Epoch || acc.PasswordHash == "" {
		return Principal{}, deny
	}
	return Principal{Name: acc.Name, Role: acc.Role}, nil
}

// EndSessions revokes every web session of the account (sign-out ends the
// account's sessions on every device).
func (s *Service) EndSessions(ctx context.Context, name string) error {
	return s.updateAccount(ctx, name, func(a *Account) error {
		a.SessionEpoch++
		return nil
	})
}

// updateAccount applies fn to the stored account and writes it back
// conditionally, retrying when another writer (a CLI command, another
// instance) changed it in between.
func (s *Service) updateAccount(ctx context.Context, name string, fn func(*Account) error) error {
	if !accountName.MatchString(name) {
		return fmtErr("account", fmt.Sprintf("%q", name), ErrNotFound, "")
	}
	for attempt := 0; ; attempt++ {
		rc, info, err := s.blobs.Get(ctx, accountKey(name), 0, -1)
		if err != nil {
			return fmt.Errorf("archive: account %s: %w", name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return fmt.Errorf("archive: read account %s: %w", name, err)
		}
		var acc Account
		if err := json.Unmarshal(data, &acc); err != nil {
			return fmt.Errorf("archive: decode account %s: %w", name, err)
		}
		if err := fn(&acc); err != nil {
			return err
		}
		err = s.putJSON(ctx, accountKey(name), acc, PutOptions{IfMatch: info.ETag})
		if err == nil || !errors.Is(err, ErrPrecondition) || attempt >= 5 {
			return err
		}
	}
}
