package backend

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
)

// quietCredentialProcess replaces the SDK's credential_process provider of
// a profile with one whose command writes its stderr to sluice's log: the
// SDK hands the command the terminal's stderr and stdin (for MFA prompts),
// and whatever it prints there ("vault: permission denied") lands in the
// middle of the screen the TUI draws. A command that needs a prompt cannot
// get one inside the TUI anyway. Only a profile whose own credentials come
// from credential_process is changed; everything else is left as the SDK
// resolved it.
func quietCredentialProcess(ctx context.Context, cfg *aws.Config, profile string, log *slog.Logger) {
	cache, ok := cfg.Credentials.(*aws.CredentialsCache)
	if !ok || profile == "" || !cache.IsCredentialsProvider(&processcreds.Provider{}) {
		return
	}
	files := DefaultAWSConfigFiles()
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{files.Config}, []string{files.Credentials}
	})
	if err != nil || sc.CredentialProcess == "" {
		return
	}
	cfg.Credentials = aws.NewCredentialsCache(processcreds.NewProviderCommand(
		logStderrCommand{command: sc.CredentialProcess, log: log.With("profile", profile, "source", "credential_process")}))
}

// logStderrCommand builds the credential_process command as the SDK does
// (through the shell), with stderr going to the log and no stdin.
type logStderrCommand struct {
	command string
	log     *slog.Logger
}

func (b logStderrCommand) NewCommand(ctx context.Context) (*exec.Cmd, error) {
	shell := []string{"sh", "-c"}
	if runtime.GOOS == "windows" {
		shell = []string{"cmd.exe", "/C"}
	}
	cmd := exec.CommandContext(ctx, shell[0], shell[1], b.command)
	cmd.Env = os.Environ()
	cmd.Stderr = &lineLogger{log: b.log}
	return cmd, nil
}

// lineLogger writes each line it is given to the log at warning level.
type lineLogger struct {
	mu   sync.Mutex
	log  *slog.Logger
	part []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	consumed := 0
	for {
		i := bytes.IndexByte(l.part[consumed:], '\n')
		if i < 0 {
			break
		}
		l.log.Warn("stderr", "line", string(l.part[consumed:consumed+i]))
		consumed += i + 1
	}
	l.part = append(l.part[:0], l.part[consumed:]...)
	if len(l.part) > 4096 { // a line without end: log what came
		l.log.Warn("stderr", "line", string(l.part))
		l.part = l.part[:0]
	}
	return len(p), nil
}
