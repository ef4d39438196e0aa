package archive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// AccountInfo is what an admin sees of an account: never a hash.
type AccountInfo struct {
	Name        string `json:"name"`
	Role        Role   `json:"role"`
	HasPassword bool   `json:"has_password"`
	Tokens      int    `json:"tokens"`
	CreatedAt   string `json:"created_at"`
}

func requireAdmin(p Principal, op string) error {
	switch {
	case p.Role == RoleAdmin:
		return nil
	case p.Anonymous():
		return fmtErr(op, "", ErrUnauthorized, "sign in as an admin")
	}
	return fmtErr(op, "", ErrForbidden, "account "+p.Name+" is not an admin")
}

// CreateAccount is AddAccount on behalf of an admin (the admin page).
func (s *Service) CreateAccount(ctx context.Context, who Principal, name string, role Role, password []byte) (string, error) {
	if err := requireAdmin(who, "add account"); err != nil {
		return "", err
	}
	return s.AddAccount(ctx, name, role, password)
}

// ListAccounts lists every account, sorted by name.
func (s *Service) ListAccounts(ctx context.Context, who Principal) ([]AccountInfo, error) {
	if err := requireAdmin(who, "list accounts"); err != nil {
		return nil, err
	}
	infos, err := s.blobs.List(ctx, accountsPrefix)
	if err != nil {
		return nil, fmt.Errorf("archive: list accounts: %w", err)
	}
	var out []AccountInfo
	for _, in := range infos {
		name, ok := strings.CutSuffix(strings.TrimPrefix(in.Key, accountsPrefix), ".json")
		if !ok || strings.Contains(name, "/") {
			continue
		}
		acc, err := s.account(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, AccountInfo{Name: acc.Name, Role: acc.Role, HasPassword: acc.PasswordHash != "",
			Tokens: len(acc.Tokens), CreatedAt: acc.CreatedAt.UTC().Format("2006-01-02 15:04 MST")})
	}
	slices.SortFunc(out, func(a, b AccountInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// RemoveAccount deletes an account and its token references. Its tokens
// and sessions stop working at once (both resolve through the account).
func (s *Service) RemoveAccount(ctx context.Context, who Principal, name string) error {
	if err := requireAdmin(who, "remove account"); err != nil {
		return err
	}
	acc, err := s.account(ctx, name)
	if err != nil {
		return fmt.Errorf("archive: account %s: %w", name, err)
	}
	if err := s.blobs.Delete(ctx, accountKey(name)); err != nil {
		return fmt.Errorf("archive: remove account %s: %w", name, err)
	}
	for _, t := range acc.Tokens {
		if err := s.blobs.Delete(ctx, tokenKey(t.SHA256)); err != nil {
			return fmt.Errorf("archive: remove account %s token: %w", name, err)
		}
	}
	return nil
}

// SetPassword sets an account's web-login password and ends its sessions.
// An admin may set anyone's; an editor only their own.
func (s *Service) SetPassword(ctx context.Context, who Principal, name string, password []byte) error {
	if who.Name != name || who.Anonymous() {
		if err := requireAdmin(who, "set password"); err != nil {
			return err
		}
	}
	if len(password) < minPassword || len(password) > 72 {
		return fmtErr("set password", name, ErrInvalid, fmt.Sprintf("a password has %d to 72 bytes", minPassword))
	}
	h, err := bcrypt.GenerateFromPassword(password, s.pwCost)
	if err != nil {
		return fmt.Errorf("archive: set password %s: %w", name, err)
	}
	return s.updateAccount(ctx, name, func(a *Account) error {
		a.PasswordHash = string(h)
		a.SessionEpoch++
		return nil
	})
}

// IssueToken creates a new API token for the account and returns it: the
// only time it exists in clear. With revokeOthers every earlier token
// stops working.
func (s *Service) IssueToken(ctx context.Context, who Principal, name string, revokeOthers bool) (string, error) {
	if err := requireAdmin(who, "issue token"); err != nil {
		return "", err
	}
	token, hash := newToken()
	if err := s.putJSON(ctx, tokenKey(hash), tokenRef{Account: name}, PutOptions{IfNoneMatch: true}); err != nil {
		return "", err
	}
	var revoked []APIToken
	err := s.updateAccount(ctx, name, func(a *Account) error {
		revoked = nil
		if revokeOthers {
			revoked = a.Tokens
			a.Tokens = nil
		}
		a.Tokens = append(a.Tokens, APIToken{SHA256: hash, CreatedAt: s.now().UTC()})
		return nil
	})
	if err != nil {
		s.removeOrphan(tokenKey(hash))
		return "", err
	}
	for _, t := range revoked {
		if err := s.blobs.Delete(ctx, tokenKey(t.SHA256)); err != nil {
			return "", fmt.Errorf("archive: revoke token of %s: %w", name, err)
		}
	}
	return token, nil
}
