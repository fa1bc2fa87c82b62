using Producer.Api.Extensions;
using Shared.Hosting;

return await ServiceHost.RunAsync(
    args,
    static builder => builder.AddProducerApi(),
    static app => app.MapProducerApi());
