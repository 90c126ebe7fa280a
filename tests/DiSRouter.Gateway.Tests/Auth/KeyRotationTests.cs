using System.Diagnostics;
using System.Net;
using DiSRouter.Gateway.Tests.Infrastructure;

namespace DiSRouter.Gateway.Tests.Auth;

/// <summary>Keys live in Gateway:KeysFile, one a line; rewriting the file adds and revokes keys without a restart.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("disrouter-keys-").FullName;

    [Fact]
    public async Task RewritingTheKeysFileRotatesKeysWithoutARestart()
    {
        var file = Path.Combine(_directory, "keys.txt");
        await File.WriteAllTextAsync(file, "# gateway keys\nold-key\n");
        await using var factory = new GatewayFactory(new Dictionary<string, Uri>(), new()
        {
            ["Gateway:KeysFile"] = file,
        });
        using var oldKey = factory.CreateAuthorizedClient("old-key");
        using var newKey = factory.CreateAuthorizedClient("new-key");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(oldKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(newKey));

        // written aside and moved in, as an operator's tool would: the watcher sees one change
        await File.WriteAllTextAsync(file + ".tmp", "new-key\n");
        File.Move(file + ".tmp", file, overwrite: true);

        var clock = Stopwatch.StartNew();
        while (await StatusAsync(newKey) != HttpStatusCode.OK)
        {
            Assert.True(clock.Elapsed < TestTimeouts.Request, "the new key was never accepted");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(oldKey));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/v1/models").WaitAsync(TestTimeouts.Request);
        return response.StatusCode;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
