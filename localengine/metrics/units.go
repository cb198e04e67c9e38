package metrics

// unitNames are CloudWatch's standard units. A unit is stored as its index
// in this table, so entries are only ever appended; code 0 means "none
// recorded" and never appears in stored keys.
var unitNames = [...]string{
	"",
	"None",
	"Seconds",
	"Microseconds",
	"Milliseconds",
	"Bytes",
	"Kilobytes",
	"Megabytes",
	"Gigabytes",
	"Terabytes",
	"Bits",
	"Kilobits",
	"Megabits",
	"Gigabits",
	"Terabits",
	"Percent",
	"Count",
	"Bytes/Second",
	"Kilobytes/Second",
	"Megabytes/Second",
	"Gigabytes/Second",
	"Terabytes/Second",
	"Bits/Second",
	"Kilobits/Second",
	"Megabits/Second",
	"Gigabits/Second",
	"Terabits/Second",
	"Count/Second",
}

// Unit is a standard unit's stored code.
type Unit uint8

// UnitNone is the unit of datapoints recorded without one.
const UnitNone Unit = 1

// ParseUnit returns the code of a standard unit name.
func ParseUnit(name string) (Unit, bool) {
	for i := 1; i < len(unitNames); i++ {
		if unitNames[i] == name {
			return Unit(i), true
		}
	}
	return 0, false
}

// unitOf is ParseUnit for services' own datapoints: anything unknown is
// None, so that a typo in a service never loses its data.
func unitOf(name string) Unit {
	if u, ok := ParseUnit(name); ok {
		return u
	}
	return UnitNone
}

// String is the unit's name ("" for the zero code).
func (u Unit) String() string {
	if int(u) < len(unitNames) {
		return unitNames[u]
	}
	return ""
}

// UnitNames lists the standard units, for error messages.
func UnitNames() []string { return append([]string(nil), unitNames[1:]...) }

// UnitSet is a set of units, small enough to carry per bucket.
type UnitSet uint32

func (s *UnitSet) add(u Unit) {
	if u < 32 {
		*s |= 1 << u
	}
}

// Single returns the set's only unit, or false when it holds none or
// several.
func (s UnitSet) Single() (Unit, bool) {
	if s == 0 || s&(s-1) != 0 {
		return 0, false
	}
	for u := Unit(0); u < 32; u++ {
		if s == 1<<u {
			return u, true
		}
	}
	return 0, false
}
