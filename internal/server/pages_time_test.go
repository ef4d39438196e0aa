package server

import "testing"

func TestParseMoment(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"754", 754_000},
		{"754.2", 754_200},
		{"754.25", 754_250},
		{"0.5", 500},
		{".5", 500},
		{"0", 0},
		{" 95 ", 95_000},
		{"12m34s", 754_000},
		{"1h2m3s", 3_723_000},
		{"1h", 3_600_000},
		{"2m", 120_000},
		{"90s", 90_000},
		{"1m30.5s", 90_500},
		{"1h30s", 3_630_000},
		{"00:12:34.5", 754_500},
		{"12:34", 754_000},
		{"1:02:03", 3_723_000},
		{"0:00:00", 0},
		{"75:00", 4_500_000}, // leading unit may exceed 60
		{"0.0004", 0},
		{"1.9999", 2000},
	}
	for _, tt := range tests {
		got, err := parseMoment(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("parseMoment(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		}
	}
}

func TestParseMomentRejects(t *testing.T) {
	for _, in := range []string{
		"", " ", "-1", "+5", "1e3", "0x10", "NaN", "Inf", "abc", "12.", ".", "1..2",
		"12:60", "1:60:00", "1:2:3:4", ":30", "1:", "12m34", "s", "1h2h", "2m1h",
		"1.5m", "1.5h", "m30s", "00:12:34.5x", "99999999999", "1000000h",
		"12:.5", "1 2", "٣", "5s5",
	} {
		if got, err := parseMoment(in); err == nil {
			t.Errorf("parseMoment(%q) = %d, nil; want an error", in, got)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	tests := []struct {
		ms   int64
		want string
	}{
		{0, "0"}, {95_000, "95"}, {90_400, "90.4"}, {754_250, "754.25"}, {1, "0.001"},
	}
	for _, tt := range tests {
		if got := formatSeconds(tt.ms); got != tt.want {
			t.Errorf("formatSeconds(%d) = %q; want %q", tt.ms, got, tt.want)
		}
		if back, err := parseMoment(formatSeconds(tt.ms)); err != nil || back != tt.ms {
			t.Errorf("parseMoment(formatSeconds(%d)) = %d, %v; want %d", tt.ms, back, err, tt.ms)
		}
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		ms   int64
		want string
	}{
		{0, "0:00"}, {95_400, "1:35"}, {754_000, "12:34"}, {3_723_000, "1:02:03"},
	}
	for _, tt := range tests {
		if got := clock(tt.ms); got != tt.want {
			t.Errorf("clock(%d) = %q; want %q", tt.ms, got, tt.want)
		}
	}
}
