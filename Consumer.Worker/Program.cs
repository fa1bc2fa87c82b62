using Consumer.Worker.Extensions;
using Shared.Hosting;

return await ServiceHost.RunAsync(
    args,
    static builder => builder.AddConsumerWorker(),
    static app => app.MapConsumerWorker());
