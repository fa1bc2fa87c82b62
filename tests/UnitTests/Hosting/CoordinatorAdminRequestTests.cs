using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Consumer.Worker.Options;
using Producer.Api.Options;
using Shared.Hosting;

namespace UnitTests.Hosting;

/// <summary>
/// librdkafka (up to 2.16.0 at least) aborts the process when an admin request addressed to a group coordinator has
/// timed out while the coordinator was unreachable and that broker then comes back:
/// <c>rd_kafka_enq_once_del_source_return: Assertion 'eonce->refcnt > 0' failed</c> (librdkafka issue 4605). A native
/// assertion ends the process whatever handle it runs on, so no service may make such a request at all, however
/// minor the feature (a metric, a health check). These are the admin calls that librdkafka sends to a coordinator.
/// </summary>
public sealed class CoordinatorAdminRequestTests
{
    private static readonly string[] CoordinatorRequests =
    [
        "ListConsumerGroupOffsetsAsync",
        "AlterConsumerGroupOffsetsAsync",
        "DeleteConsumerGroupOffsetsAsync",
        "DescribeConsumerGroupsAsync",
        "DeleteGroupsAsync",
    ];

    public static TheoryData<string> ServiceAssemblies =>
    [
        typeof(ProducerApiOptions).Assembly.GetName().Name!,
        typeof(WorkerOptions).Assembly.GetName().Name!,
        typeof(KafkaOptions).Assembly.GetName().Name!,
    ];

    [Theory]
    [MemberData(nameof(ServiceAssemblies))]
    public void No_service_calls_an_admin_api_that_librdkafka_sends_to_the_group_coordinator(string assembly)
    {
        using var file = File.OpenRead(System.Reflection.Assembly.Load(assembly).Location);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();

        var called = metadata.MemberReferences
            .Select(handle => metadata.GetString(metadata.GetMemberReference(handle).Name))
            .Where(CoordinatorRequests.Contains)
            .Distinct()
            .ToList();

        Assert.True(called.Count == 0, $"{assembly} calls {string.Join(", ", called)}: read committed offsets through a consumer handle's Committed() instead.");
    }
}
