package report

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

// pageResult is what a headless browser saw of a report.
type pageResult struct {
	rendered  int     // window.__rendered: charts whose vegaEmbed resolved
	svgs      int     // chart SVG elements in the page
	renderErr string  // window.__renderError
	embedMs   float64 // window.__renderMs: from the first vegaEmbed call to the last render
	loadMs    float64 // performance.now() when the charts had rendered: from navigation start
	problems  []string
	requests  []string // every URL the page requested, the page itself included
	png       []byte   // full-page screenshot
	exports   []string // the first chart exported as PNG and as SVG: their URLs
	shotErr   string   // why there is none
}

// browser is a headless Chromium, started once for several pages.
type browser struct {
	ctx    context.Context
	cancel func()
	mu     sync.Mutex
	res    *pageResult // the page being loaded, which events are recorded in
}

// startBrowser starts Chromium with a fresh profile in userDataDir and the
// flags that keep it from touching the network on its own.
func startBrowser(userDataDir string) (*browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(userDataDir),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(b.event))
	b.ctx = ctx
	b.cancel = func() { cancelTab(); cancelAlloc() }
	if err := chromedp.Do(ctx); err != nil { // start the browser and open the tab
		b.cancel()
		return nil, err
	}
	return b, nil
}

// event records console errors and warnings, exceptions, browser-log
// entries (where CSP violations and failed loads appear) and requests.
func (b *browser) event(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.res
	if r == nil {
		return
	}
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == "error" || ev.Type == "warning" || ev.Type == "assert" {
			var parts []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			r.problems = append(r.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		r.problems = append(r.problems, "uncaught exception: "+text)
	case *log.EventEntryAdded:
		if ev.Entry.Level == "error" || ev.Entry.Level == "warning" {
			r.problems = append(r.problems, fmt.Sprintf("browser log (%s, %s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		r.requests = append(r.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		r.problems = append(r.problems, "failed request: "+ev.ErrorText)
	}
}

// open loads the HTML file at path, waits until every chart has rendered
// (or rendering failed, or timeout passed), and takes a screenshot.
func (b *browser) open(path string, timeout time.Duration) (*pageResult, error) {
	res := &pageResult{}
	b.mu.Lock()
	b.res = res
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.res = nil
		b.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	u := (&url.URL{Scheme: "file", Path: path}).String()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return res, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__rendered !== undefined || window.__renderError !== undefined`,
		chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		return res, fmt.Errorf("waiting for the charts: %w", err)
	}
	type state struct {
		Rendered   int     `json:"rendered"`
		SVGs       int     `json:"svgs"`
		Err        string  `json:"err"`
		EmbedMs    float64 `json:"embedMs"`
		RenderedAt float64 `json:"renderedAt"`
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({
		rendered: window.__rendered || 0,
		svgs: document.querySelectorAll(".vis svg.marks").length,
		err: String(window.__renderError || ""),
		embedMs: window.__renderMs || 0,
		renderedAt: window.__renderedAt || 0
	})`))
	if err != nil {
		return res, err
	}
	res.rendered, res.svgs, res.renderErr, res.embedMs, res.loadMs = s.Rendered, s.SVGs, s.Err, s.EmbedMs, s.RenderedAt
	// The export buttons' function, on the first chart.
	for _, typ := range []string{"png", "svg"} {
		u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.__export(document.querySelector(".vis").id, "`+typ+`")`, chromedp.EvalAwaitPromise))
		if err != nil {
			return res, fmt.Errorf("exporting a chart as %s: %w", typ, err)
		}
		res.exports = append(res.exports, u)
	}
	// A page taller than Chromium's texture limit has no full-page
	// screenshot; the checks above do not need one.
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		res.png = png
	} else {
		res.shotErr = err.Error()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if res.rendered == 0 && res.renderErr == "" {
		return res, errors.New("no chart rendered")
	}
	return res, nil
}
