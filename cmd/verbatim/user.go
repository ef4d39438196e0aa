package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

const userUsage = "user add NAME --role editor|admin [--password-stdin] | list | remove NAME | passwd NAME | token NAME [--revoke]"

const userAbout = `Manage accounts. Every subcommand only reads and writes objects, so it
works while servers run on the same data.

  add NAME --role editor|admin [--password-stdin]
      create an account and print one API token on stdout (nothing else goes
      there): use it as "Authorization: Bearer <token>". --password-stdin
      reads a web-login password from the first line of stdin.
  list
      name, role, whether a password is set, how many tokens.
  remove NAME
      delete the account: its tokens and sessions stop working at once.
  passwd NAME
      set the web-login password from the first line of stdin; every
      session of the account ends.
  token NAME [--revoke]
      issue a new API token and print it (shown once, stored as a hash);
      --revoke first revokes every earlier token of the account.`

func runUser(ctx context.Context, args []string, io Stdio) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	if sub == "-h" || sub == "--help" {
		sub, args = "add", []string{"-h"}
	}
	fs, cfg, err := flags("user "+sub, strings.TrimPrefix(userUsage, "user "), userAbout, io)
	if err != nil {
		return err
	}
	var run func(context.Context, *deps, []string) error
	check := func() error { return nil }
	switch sub {
	case "add":
		role := fs.String("role", "", "`role` of the account: editor or admin (required)")
		pwStdin := fs.Bool("password-stdin", false, "read a web-login password from stdin")
		check = func() error {
			if *role == "" {
				return fmt.Errorf("%w: user add NAME --role editor|admin [--password-stdin]", errUsage)
			}
			return nil
		}
		run = func(ctx context.Context, d *deps, a []string) error {
			return userAdd(ctx, d, io, a[0], *role, *pwStdin)
		}
	case "list":
		run = func(ctx context.Context, d *deps, _ []string) error { return userList(ctx, d, io) }
	case "remove":
		run = func(ctx context.Context, d *deps, a []string) error { return d.svc.RemoveAccount(ctx, system, a[0]) }
	case "passwd":
		run = func(ctx context.Context, d *deps, a []string) error {
			pw, err := readPassword(io)
			if err != nil {
				return err
			}
			return d.svc.SetPassword(ctx, system, a[0], pw)
		}
	case "token":
		revoke := fs.Bool("revoke", false, "revoke every earlier token of the account")
		run = func(ctx context.Context, d *deps, a []string) error {
			token, err := d.svc.IssueToken(ctx, system, a[0], *revoke)
			if err != nil {
				return err
			}
			fmt.Fprintln(io.Stdout, token)
			return nil
		}
	default:
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	if err := parse(fs, interleave(args)); err != nil {
		return err
	}
	want := 1 // NAME
	if sub == "list" {
		want = 0
	}
	if fs.NArg() != want {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	if err := check(); err != nil {
		return err
	}
	d, err := open(ctx, cfg, withoutIndex, newLogger(io.Stderr, cfg))
	if err != nil {
		return err
	}
	defer d.Close()
	return run(ctx, d, fs.Args())
}

func userAdd(ctx context.Context, d *deps, io Stdio, name, role string, pwStdin bool) error {
	var password []byte
	if pwStdin {
		pw, err := readPassword(io)
		if err != nil {
			return err
		}
		password = pw
	}
	token, err := d.svc.AddAccount(ctx, name, archive.Role(role), password)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.Stdout, token)
	return nil
}

func userList(ctx context.Context, d *deps, io Stdio) error {
	accs, err := d.svc.ListAccounts(ctx, system)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(io.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tPASSWORD\tTOKENS\tCREATED")
	for _, a := range accs {
		pw := "no"
		if a.HasPassword {
			pw = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", a.Name, a.Role, pw, a.Tokens, a.CreatedAt)
	}
	return tw.Flush()
}

func readPassword(io Stdio) ([]byte, error) {
	line, err := bufio.NewReader(io.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return nil, fmt.Errorf("user: read password from stdin: %w", err)
	}
	return []byte(strings.TrimRight(line, "\r\n")), nil
}
