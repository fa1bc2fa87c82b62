using System.Buffers;
using Producer.Api.Http;

namespace Producer.Api.Ingest;

internal static class RequestBody
{
    /// <summary>
    /// Reads the whole body, or stops as soon as it exceeds <paramref name="limit"/> bytes and returns null:
    /// an oversized body is refused without being buffered.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                RequestProgress.BodyReceived(request.HttpContext);
                return body;
            }

            // Nothing consumed yet: ask for more until the body is complete.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
