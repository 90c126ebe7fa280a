using System.Net;

namespace DiSRouter.AppHost.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener: the tests stay off the ASP.NET Core shared framework, which the
/// AppHost they also start as a process from this folder does not carry), answering each request with the handler.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            Url = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(Url.ToString());
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5) { } // the free port was taken meanwhile
        }
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url { get; private set; } = null!;

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(async () =>
            {
                try { await _handler(context); }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException) { }
                finally
                {
                    try { context.Response.Close(); } catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { }
                }
            });
        }
    }


    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
