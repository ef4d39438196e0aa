package archive

// Role is what an account may do. Anonymous viewers have no role.
type Role string

const (
	RoleEditor Role = "editor" // upload, edit, publish, see drafts
	RoleAdmin  Role = "admin"  // everything an editor may, plus accounts
)

// Valid reports whether r is a role an account may hold.
func (r Role) Valid() bool { return r == RoleEditor || r == RoleAdmin }

// Principal is who is asking. The zero value is an anonymous viewer.
type Principal struct {
	Name string
	Role Role
}

// Anonymous reports whether p is a viewer without an account.
func (p Principal) Anonymous() bool { return p.Name == "" }

// CanEdit reports whether p may write and see drafts.
func (p Principal) CanEdit() bool { return p.Role == RoleEditor || p.Role == RoleAdmin }

// requireEditor answers ErrUnauthorized for anonymous callers (they should
// sign in) and ErrForbidden for accounts without the right.
func requireEditor(p Principal, op string) error {
	switch {
	case p.CanEdit():
		return nil
	case p.Anonymous():
		return fmtErr(op, "", ErrUnauthorized, "sign in as an editor")
	default:
		return fmtErr(op, "", ErrForbidden, "account "+p.Name+" may not edit")
	}
}
