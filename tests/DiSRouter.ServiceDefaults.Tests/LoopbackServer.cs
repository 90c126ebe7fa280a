using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DiSRouter.ServiceDefaults.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 that answers every request with <paramref name="handler"/> and counts them.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;

    public LoopbackServer(Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(http => handler(http, Interlocked.Increment(ref _count)));
    }

    public int Count => Volatile.Read(ref _count);
    public Uri Url => new(_app.Urls.First());

    public async Task<LoopbackServer> StartAsync()
    {
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }
}
