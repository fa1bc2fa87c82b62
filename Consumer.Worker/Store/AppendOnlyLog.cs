namespace Consumer.Worker.Store;

/// <summary>
/// An append-only list with one writer and any number of lock-free readers. Items live in fixed chunks that
/// never move, and the count is published after the item is written, so a reader that read the count sees
/// every item below it. A snapshot is just (log, count): later appends never disturb it.
/// </summary>
internal sealed class AppendOnlyLog<T>
    where T : class
{
    private const int ChunkSize = 4096;
    private T[][] _chunks = [new T[ChunkSize]];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Only one thread may append at a time (the store serializes appends per partition).</summary>
    public void Append(T item)
    {
        var index = _count;
        var chunk = index / ChunkSize;
        if (chunk == _chunks.Length)
        {
            // Readers hold on to the old array of chunks; the chunks themselves are shared and never copied.
            var grown = new T[_chunks.Length * 2][];
            Array.Copy(_chunks, grown, _chunks.Length);
            Volatile.Write(ref _chunks, grown);
        }

        var chunks = _chunks;
        chunks[chunk] ??= new T[ChunkSize];
        chunks[chunk][index % ChunkSize] = item;
        Volatile.Write(ref _count, index + 1);
    }

    /// <summary>The item at <paramref name="index"/>, which must be below a count read earlier.</summary>
    public T this[int index] => Volatile.Read(ref _chunks)[index / ChunkSize][index % ChunkSize];
}
