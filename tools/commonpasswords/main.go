// Command commonpasswords writes subgraphs/users/password/common_passwords.txt:
// zxcvbn's list of the 30,000 most frequent passwords (the Go port
// github.com/trustelem/zxcvbn/frequency), one per line. The users service embeds
// the file instead of importing the port, whose package initialises a map of
// every zxcvbn list (about 12 MB) in every process of the binary, the router's
// included. `make generate` runs it; the password package's tests fail when the
// file no longer matches the list.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/trustelem/zxcvbn/frequency"
)

func main() {
	out := "subgraphs/users/password/common_passwords.txt"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := write(out); err != nil {
		fmt.Fprintln(os.Stderr, "commonpasswords:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, p := range frequency.FrequencyLists["passwords"] {
		if _, err := fmt.Fprintln(w, p); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
