package inventory

import (
	"errors"
)

// ErrNotServed says that the endpoint does not serve a service or an
// operation: the bundled engine has no Lambda and no enhanced fan-out
// consumers, and a LocalStack may lack Pipes or Lambda. A listing reports
// it as a backend.Failure of kind "not served": there are none here to
// read, which is not a partial listing.
var ErrNotServed = errors.New("not served by this endpoint")
