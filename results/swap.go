package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A writer works in a staging directory beside the destination,
//
//	.<base>.tmp-<pid>-<random>/
//	    new/   the results being written; Finish moves it to the destination
//	    old/   the replaced results, while they are moved out (fallback swap)
//
// and holds an exclusive flock(2) on the staging directory for as long as it
// lives. The kernel drops the lock when the process dies, however it dies
// (SIGKILL included), so a staging directory whose lock can be taken belongs
// to a dead writer: the next writer to the same destination recovers the old
// results from it if a crash left them there, and removes it.
//
// Finish replaces an existing destination with one atomic exchange of new/
// and the destination (Linux renameat2 RENAME_EXCHANGE), so the destination
// holds the complete old or the complete new results at every instant. Where
// the file system or kernel cannot exchange, it falls back to two renames,
// destination → old/ and new/ → destination; a crash between them leaves no
// destination but both complete directories in the staging directory, and
// the next writer (or [Recover]) moves old/ back before anything else.

// Phases at which the test hook is called.
const (
	phaseStaged    = "staged"      // staging directory locked, files opened
	phaseComplete  = "complete"    // every file written and synced, before the swap
	phasePlaced    = "placed"      // no earlier results: new/ renamed to the destination
	phaseExchanged = "exchanged"   // old and new exchanged; old results in new/
	phaseAside     = "moved-aside" // fallback: destination renamed to old/, new/ not yet moved
	phaseSwapped   = "swapped"     // fallback: both renames done, old/ not yet removed
)

// testHook, when set by a test, is called at each phase; a test kills the
// process there to check crash safety.
var testHook func(phase string)

// noExchange, set by tests, forces the two-rename fallback.
var noExchange bool

func hook(phase string) {
	if testHook != nil {
		testHook(phase)
	}
}

// staging is a locked staging directory.
type staging struct {
	dir  string
	lock *os.File // the staging directory, open and flocked
}

func stagingPrefix(base string) string { return "." + base + ".tmp-" }

// Staging directory names: this version's, with the owner's pid, and an
// earlier version's (os.MkdirTemp digits, ".old" for a replaced directory),
// which took no lock.
var (
	stagingName = regexp.MustCompile(`^([0-9]+)-[0-9]+$`)
	legacyName  = regexp.MustCompile(`^[0-9]+(\.old)?$`)
)

// newStaging makes and locks a staging directory for dest in parent.
func newStaging(parent, base string) (*staging, error) {
	for range 10 {
		dir, err := os.MkdirTemp(parent, stagingPrefix(base)+strconv.Itoa(os.Getpid())+"-")
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		f, err := os.Open(dir)
		if err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("results: %w", err)
		}
		if err := lockDir(f); err != nil {
			f.Close()
			os.RemoveAll(dir)
			return nil, fmt.Errorf("results: locking %s: %w", dir, err)
		}
		// Between MkdirTemp and the lock, a writer cleaning up after dead
		// ones may have taken the unlocked directory for stale and removed
		// it; then try again.
		if samePath(dir, f) {
			s := &staging{dir: dir, lock: f}
			if err := os.Mkdir(s.newDir(), 0o755); err != nil {
				s.remove()
				return nil, fmt.Errorf("results: %w", err)
			}
			return s, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("results: could not make a staging directory in %s", parent)
}

func (s *staging) newDir() string { return filepath.Join(s.dir, "new") }
func (s *staging) oldDir() string { return filepath.Join(s.dir, "old") }

// remove deletes the staging directory, then releases its lock.
func (s *staging) remove() error {
	if s == nil || s.lock == nil {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.lock.Close()
	s.lock = nil
	if err != nil {
		return fmt.Errorf("results: removing staging directory: %w", err)
	}
	return nil
}

// samePath reports whether path still names the open directory f.
func samePath(path string, f *os.File) bool {
	a, err := os.Lstat(path)
	if err != nil {
		return false
	}
	b, err := f.Stat()
	return err == nil && os.SameFile(a, b)
}

// Recover cleans up after writers to dest that died (killed, crashed, or
// interrupted before they could clean up): where a crash in the middle of a
// swap left no directory at dest, it moves the old results back; then it
// removes the dead writers' staging directories. Staging directories of
// running writers are left alone. It returns one line per action, for the
// user. [Create] calls it; a tool that only reads dest may call it first.
func Recover(dest string) ([]string, error) {
	dest = filepath.Clean(dest)
	parent, base := filepath.Dir(dest), filepath.Base(dest)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var notes []string
	prefix := stagingPrefix(base)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		path := filepath.Join(parent, e.Name())
		switch {
		case stagingName.MatchString(rest):
			note, err := recoverStaging(path, dest, stagingName.FindStringSubmatch(rest)[1])
			if err != nil {
				return notes, err
			}
			if note != "" {
				notes = append(notes, note)
			}
		case legacyName.MatchString(rest):
			// An earlier version's temporary directory; its writer took no
			// lock, so it is taken for dead.
			if strings.HasSuffix(rest, ".old") && !exists(dest) {
				if err := os.Rename(path, dest); err != nil {
					return notes, fmt.Errorf("results: restoring %s from %s: %w", dest, path, err)
				}
				notes = append(notes, fmt.Sprintf("restored %s from %s, left by an interrupted swap", dest, e.Name()))
				continue
			}
			if err := os.RemoveAll(path); err != nil {
				return notes, fmt.Errorf("results: removing stale %s: %w", path, err)
			}
			notes = append(notes, fmt.Sprintf("removed %s, left by an earlier Cascade that stopped", path))
		}
	}
	return notes, nil
}

// recoverStaging recovers and removes the staging directory path if its
// writer (process pid) is dead, and returns what it did ("" if nothing).
func recoverStaging(path, dest, pid string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil // gone meanwhile
	}
	defer f.Close()
	if !tryLockDir(f) || !samePath(path, f) {
		return "", nil // its writer is running, or it was removed meanwhile
	}
	note := fmt.Sprintf("removed %s, left by process %s, which stopped before cleaning up", path, pid)
	old := filepath.Join(path, "old")
	if exists(old) && !exists(dest) {
		if err := renameNoReplace(old, dest); err != nil {
			return "", fmt.Errorf("results: restoring %s from %s: %w", dest, old, err)
		}
		if err := syncDir(filepath.Dir(dest)); err != nil {
			return "", err
		}
		note = fmt.Sprintf("restored %s from %s, where process %s stopped in the middle of replacing it; removed the rest", dest, old, pid)
	}
	if err := os.RemoveAll(path); err != nil {
		return "", fmt.Errorf("results: removing stale %s: %w", path, err)
	}
	return note, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// swap moves the complete results directory tmp (the staging directory's
// new/) to dest, replacing a results directory there, and then removes the
// staging directory. See the comment at the top of this file.
func (w *Writer) swap() error {
	st := w.stage
	parent := filepath.Dir(w.dest)
	_, err := os.Lstat(w.dest)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := renameNoReplace(st.newDir(), w.dest); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("results: %s appeared while the results were written; not replaced", w.dest)
			}
			return fmt.Errorf("results: %w", err)
		}
		hook(phasePlaced)
	case err != nil:
		return fmt.Errorf("results: %w", err)
	default:
		err := exchange(st.newDir(), w.dest)
		if err == nil {
			hook(phaseExchanged)
			break
		}
		if !errors.Is(err, errNoExchange) {
			return fmt.Errorf("results: replacing %s: %w", w.dest, err)
		}
		if err := os.Rename(w.dest, st.oldDir()); err != nil {
			return fmt.Errorf("results: moving aside %s: %w", w.dest, err)
		}
		hook(phaseAside)
		if err := os.Rename(st.newDir(), w.dest); err != nil {
			if rerr := os.Rename(st.oldDir(), w.dest); rerr != nil {
				w.keep = true
				return fmt.Errorf("results: %w (and restoring the old directory from %s: %v; the next run restores it)", err, st.oldDir(), rerr)
			}
			return fmt.Errorf("results: %w", err)
		}
		hook(phaseSwapped)
	}
	if err := syncDir(parent); err != nil {
		return fmt.Errorf("%w (the results are in place at %s)", err, w.dest)
	}
	if err := st.remove(); err != nil {
		return fmt.Errorf("the results are in place at %s, but %w", w.dest, err)
	}
	return nil
}

// ErrRefused is matched (errors.Is) by the error of a writer that will not
// replace an existing destination because Cascade did not write it.
var ErrRefused = errors.New("refusing to replace it")

// Names that `cascade report` writes into a results directory, besides the
// files the manifest lists.
var reportNames = map[string]bool{"report.html": true, "report.md": true}

const (
	reportFilesDir  = "report_files"     // the charts of report.md
	reportTmpPrefix = ".report.html.tmp" // an HTML report being written
	maxManifestSize = 256 << 20
)

// checkDest reports whether dest may be created or, with overwrite,
// replaced: only a directory that Cascade wrote, holding nothing else, or an
// empty directory (which holds nothing to lose) is ever replaced.
func checkDest(dest string, overwrite bool) error {
	fi, err := os.Lstat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if !overwrite {
		return fmt.Errorf("results: %s already exists (set Overwrite to replace it)", dest)
	}
	if !fi.IsDir() {
		return fmt.Errorf("results: %s exists and is not a directory; %w", dest, ErrRefused)
	}
	entries, err := os.ReadDir(dest)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	return checkResultsDir(dest, entries)
}

// checkResultsDir reports whether dir, with the given entries, is a results
// directory holding only what Cascade wrote. The marker is manifest.json
// with the fields only Cascade's manifest has together (format_version,
// cascade_version, scenario_sha256 and files); every other entry must be a
// file the manifest lists or a report.
func checkResultsDir(dir string, entries []fs.DirEntry) error {
	refuse := func(why string) error {
		return fmt.Errorf("results: %s is not a Cascade results directory (%s); %w: "+
			"move it away or choose another output directory", dir, why, ErrRefused)
	}
	mpath := filepath.Join(dir, ManifestFile)
	fi, err := os.Lstat(mpath)
	switch {
	case err != nil:
		return refuse("no " + ManifestFile)
	case !fi.Mode().IsRegular():
		return refuse(ManifestFile + " is not a regular file")
	case fi.Size() > maxManifestSize:
		return refuse(ManifestFile + " is too large to be Cascade's")
	}
	data, err := os.ReadFile(mpath)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return refuse(ManifestFile + " is not Cascade's")
	}
	for _, k := range []string{"format_version", "cascade_version", "scenario_sha256", "files"} {
		if _, ok := fields[k]; !ok {
			return refuse(ManifestFile + " is not Cascade's: no " + k)
		}
	}
	var files []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(fields["files"], &files); err != nil {
		return refuse(ManifestFile + " is not Cascade's: bad files list")
	}
	listed := map[string]bool{ManifestFile: true}
	for _, f := range files {
		listed[f.Name] = true
	}
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.Type().IsRegular() && (listed[name] || reportNames[name] || strings.HasPrefix(name, reportTmpPrefix)):
		case e.IsDir() && name == reportFilesDir && onlyCharts(filepath.Join(dir, name)):
		default:
			foreign = append(foreign, name)
		}
	}
	if len(foreign) > 0 {
		if len(foreign) > 5 {
			foreign = append(foreign[:5], fmt.Sprintf("and %d more", len(foreign)-5))
		}
		return fmt.Errorf("results: %s holds %s, which Cascade did not write; %w: "+
			"move them away or choose another output directory", dir, strings.Join(foreign, ", "), ErrRefused)
	}
	return nil
}

// onlyCharts reports whether dir holds nothing but the SVG charts of a
// Markdown report.
func onlyCharts(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".svg" {
			return false
		}
	}
	return true
}
