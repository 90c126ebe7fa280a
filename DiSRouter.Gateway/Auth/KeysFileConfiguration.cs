using Microsoft.Extensions.FileProviders;

namespace DiSRouter.Gateway.Auth;

/// <summary>
/// Gateway:KeysFile as a configuration source: one key a line, blank lines and '#' comments skipped, bound to
/// Gateway:KeysFromFile. Reloaded when the file changes (the file provider's watcher), so keys rotate without a restart.
/// WHY a file of its own rather than a JSON section: an operator rewrites one line per key with any tool, and the
/// keys stay out of appsettings.json, which is committed.
/// </summary>
internal sealed class KeysFileConfigurationSource : FileConfigurationSource
{
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new KeysFileConfigurationProvider(this);
    }
}

internal sealed class KeysFileConfigurationProvider(KeysFileConfigurationSource source) : FileConfigurationProvider(source)
{
    public override void Load(Stream stream)
    {
        using var reader = new StreamReader(stream);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (reader.ReadLine() is { } line)
        {
            var key = line.Trim();
            if (key.Length == 0 || key.StartsWith('#')) continue;
            data[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.KeysFromFile)}:{i++}"] = key;
        }
        Data = data;
    }
}

internal static class KeysFileConfigurationExtensions
{
    /// <summary>Adds the keys file named by Gateway:KeysFile, if one is named; a named file that is missing stops the start.</summary>
    public static IConfigurationBuilder AddKeysFile(this IConfigurationManager configuration)
    {
        if (configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.KeysFile)}"] is not { Length: > 0 } path) return configuration;
        var full = Path.GetFullPath(path);
        return configuration.Add(new KeysFileConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(full)!),
            Path = Path.GetFileName(full),
            Optional = false,
            ReloadOnChange = true,
            ReloadDelay = 100,
        });
    }
}
