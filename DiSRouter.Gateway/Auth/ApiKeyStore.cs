using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DiSRouter.Gateway.Auth;

/// <summary>
/// The accepted keys as SHA-256 hashes, rebuilt whenever the gateway's settings reload (appsettings, the keys file):
/// a rotated key is accepted, and a revoked one refused, from the next request on. A presented key is hashed and
/// compared with every known hash in fixed time, so neither its length nor a matching prefix shows in the timing.
/// Keys themselves are never kept past hashing, logged or shown; a key's id is a short fingerprint of its hash.
/// </summary>
internal sealed class ApiKeyStore : IDisposable
{
    private readonly IDisposable? _subscription;
    private volatile Hashes _hashes;

    public ApiKeyStore(IOptionsMonitor<GatewayOptions> options)
    {
        _hashes = Build(options.CurrentValue);
        _subscription = options.OnChange(o => _hashes = Build(o));
    }

    public bool IsApiKey(string presented) => Matches(presented, _hashes.Api);

    public bool IsAdminKey(string presented) => Matches(presented, _hashes.Admin);

    public bool HasAdminKeys => _hashes.Admin.Length > 0;

    public int Count => _hashes.Api.Length;

    internal static string Fingerprint(string key) => "key-" + Convert.ToHexStringLower(Hash(key).AsSpan(0, 4));

    private static bool Matches(string presented, byte[][] known)
    {
        var hash = Hash(presented);
        var found = false;
        foreach (var k in known) found |= CryptographicOperations.FixedTimeEquals(hash, k);
        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static Hashes Build(GatewayOptions o) =>
        new(o.ApiKeys.Concat(o.KeysFromFile).Where(k => !string.IsNullOrWhiteSpace(k)).Distinct().Select(Hash).ToArray(),
            o.AdminKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Distinct().Select(Hash).ToArray());

    public void Dispose() => _subscription?.Dispose();

    private sealed record Hashes(byte[][] Api, byte[][] Admin);
}
