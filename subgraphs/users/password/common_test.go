package password

import (
	"strings"
	"testing"

	"github.com/trustelem/zxcvbn/frequency"
)

// TestEmbeddedListIsZxcvbns fails when common_passwords.txt is stale: run
// `go run ./tools/commonpasswords` (make generate).
func TestEmbeddedListIsZxcvbns(t *testing.T) {
	t.Parallel()
	want := strings.Join(frequency.FrequencyLists["passwords"], "\n") + "\n"
	if commonPasswords != want {
		t.Fatal("common_passwords.txt differs from zxcvbn's list: run `go run ./tools/commonpasswords`")
	}
}
