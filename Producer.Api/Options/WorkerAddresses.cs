namespace Producer.Api.Options;

/// <summary>
/// Where the workers are, from WORKER_GRPC_URL: one address (<c>http://localhost:5001</c>), a comma-separated list of
/// them, or <c>dns:///name:port</c>, a name that resolves to every replica (a Compose service, a Kubernetes headless
/// service), looked up again as replicas come and go.
/// </summary>
public sealed record WorkerAddresses(IReadOnlyList<Uri> Fixed, string? DnsHost, int DnsPort)
{
    private const string DnsScheme = "dns:///";

    public bool IsDns => DnsHost is not null;

    public static bool TryParse(string? text, out WorkerAddresses addresses, out string? error)
    {
        addresses = new WorkerAddresses([], null, 0);
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty";
            return false;
        }

        text = text.Trim();
        if (text.StartsWith(DnsScheme, StringComparison.OrdinalIgnoreCase))
        {
            var target = text[DnsScheme.Length..];
            var colon = target.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(target[(colon + 1)..], out var port) || port is < 1 or > 65535
                || Uri.CheckHostName(target[..colon]) == UriHostNameType.Unknown)
            {
                error = "must be dns:///name:port";
                return false;
            }

            addresses = new WorkerAddresses([], target[..colon], port);
            return true;
        }

        var list = new List<Uri>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                error = $"has '{part}', which is not an http:// or https:// URL";
                return false;
            }

            list.Add(uri);
        }

        if (list.Count == 0)
        {
            error = "names no address";
            return false;
        }

        addresses = new WorkerAddresses(list, null, 0);
        return true;
    }
}
