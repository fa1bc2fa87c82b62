using System.Reflection;
using System.Runtime.InteropServices;

namespace DevBroker;

/// <summary>
/// librdkafka's mock cluster, from the same native library that Confluent.Kafka loads. The resolver makes both
/// bind to one copy: on Debian the default librdkafka.so needs libsasl2.so.3, which is absent, and Confluent.Kafka
/// falls back to centos8-librdkafka.so; two copies in one process would be two librdkafka runtimes.
/// </summary>
internal static partial class NativeMethods
{
    private const string Library = "librdkafka";

    static NativeMethods()
    {
        // Let Confluent.Kafka pick and load its native file first; ours then resolves to the same path.
        Confluent.Kafka.Library.Load();
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
    }

    /// <summary>Forces the static constructor, so the resolver is in place before the first call.</summary>
    internal static void EnsureLoaded()
    {
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    private static IEnumerable<string> Candidates()
    {
        var confluentDir = Path.GetDirectoryName(typeof(Confluent.Kafka.Library).Assembly.Location) ?? AppContext.BaseDirectory;
        foreach (var root in new[] { confluentDir, AppContext.BaseDirectory }.Distinct())
        {
            var native = Path.Combine(root, "runtimes", RuntimeFolder(), "native");
            if (OperatingSystem.IsLinux())
            {
                yield return Path.Combine(native, "librdkafka.so");
                yield return Path.Combine(native, "centos8-librdkafka.so");
            }
            else if (OperatingSystem.IsMacOS())
            {
                yield return Path.Combine(native, "librdkafka.dylib");
            }
            else
            {
                yield return Path.Combine(native, "librdkafka.dll");
            }
        }
    }

    private static string RuntimeFolder()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, nuint errstrSize);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(Library)]
    internal static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, int[] errors);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_clear_request_errors(IntPtr cluster, short apiKey);

    [LibraryImport(Library)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_topic_set_error(IntPtr cluster, string topic, int error);

    [LibraryImport(Library)]
    internal static partial IntPtr rd_kafka_err2str(int err);
}
