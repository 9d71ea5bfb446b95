"""Answers to notebook 06's exercises: each check must print ✗ (see ``__init__``)."""

WRONG = {
    # The right calls, but the cat photo where the exercise asks for the batch given.
    "06-remote-local": """
async def remote_and_local(client, request, batch):
    remote = (await client.infer(MODEL_NAME, [infer_input(photos["cat.png"])])).as_numpy(OUTPUT_NAME)
    return remote, request.infer({0: photos["cat.png"]})[0]
""",
    # Both queues right, but the local callback keeps the output tensor's data, a view that the
    # request's next inference overwrites: some local logits are wrong.
    "06-spread": """
async def spread(remote_queue, local_queue, photos):
    remote, local = {}, {}
    remote_queue.set_callback(lambda result, name: remote.update({name: result.as_numpy(OUTPUT_NAME)}))
    local_queue.set_callback(lambda request, name: local.update({name: request.get_output_tensor().data}))
    for name, batch in photos.items():
        await remote_queue.start_async({INPUT_NAME: batch}, name)
        local_queue.start_async({0: batch}, name)
    await remote_queue.wait_all()
    local_queue.wait_all()
    return remote, local
""",
}

SHORTCUTS = {
    "06-remote-local": [
        # my_remote = my_local = compiled(batch): the server is never asked.
        (
            "client.infer",
            """
async def remote_and_local(client, request, batch):
    logits = compiled(batch)[0]
    return logits, logits.copy()
""",
        ),
        # The server asked, but the local logits copied from its answer: the local request never runs.
        (
            "request",
            """
async def remote_and_local(client, request, batch):
    remote = (await client.infer(MODEL_NAME, [infer_input(batch)])).as_numpy(OUTPUT_NAME)
    return remote, remote.copy()
""",
        ),
    ],
    "06-spread": [
        # Two photos sent to touch both replicas, the rest from sync calls; no local queue.
        (
            "start_async",
            """
async def spread(remote_queue, local_queue, photos):
    remote_queue.set_callback(lambda result, name: None)
    for name in list(photos)[:2]:
        await remote_queue.start_async({INPUT_NAME: photos[name]}, name)
    await remote_queue.wait_all()
    local = {name: compiled(batch)[0] for name, batch in photos.items()}
    return dict(local), local
""",
        ),
        # The remote queue right, the local results copied from it: the local queue never runs.
        (
            "local_queue",
            """
async def spread(remote_queue, local_queue, photos):
    remote = {}
    remote_queue.set_callback(lambda result, name: remote.update({name: result.as_numpy(OUTPUT_NAME)}))
    for name, batch in photos.items():
        await remote_queue.start_async({INPUT_NAME: batch}, name)
    await remote_queue.wait_all()
    return remote, {name: logits.copy() for name, logits in remote.items()}
""",
        ),
    ],
}
