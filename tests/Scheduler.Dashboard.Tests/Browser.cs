using Microsoft.Playwright;

namespace Scheduler.Dashboard.Tests;

/// <summary>
/// Headless Chromium through Playwright: Debian's <c>/usr/bin/chromium</c> (installed by .ci/run), never a downloaded
/// browser. Screenshots go to <c>screenshots/SPEC/</c> beside the test assembly, kept after the run.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IPage page, string screenshots)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        Screenshots = screenshots;
    }

    public IPage Page { get; }

    /// <summary>Where <see cref="ScreenshotAsync"/> saves.</summary>
    public string Screenshots { get; }

    public static async Task<Browser> OpenAsync(string spec)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y chromium (.ci/run does)");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots", spec);
        Directory.CreateDirectory(screenshots);
        return new Browser(playwright, browser, page, screenshots);
    }

    /// <summary>Saves the page as <c>NAME.png</c> and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Screenshots, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
