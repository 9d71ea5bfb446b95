"""Notebook 06: plausible wrong answers; each makes its check print ✗ (never raise)."""

WRONG = {
    # The right calls, but the cat photo where the exercise asks for the coffee one.
    "06-remote-local": (
        'coffee = photos["coffee.png"]\n'
        'cat = photos["cat.png"]\n'
        "my_remote = (await client.infer(MODEL_NAME, [infer_input(cat)])).as_numpy(OUTPUT_NAME)\n"
        "my_local = compiled.create_infer_request().infer({0: cat})[0]\n"
    ),
    # Both queues right, but the local callback keeps the output tensor's data, a view that the
    # request's next inference overwrites (6 photos on 4 requests): some local logits are wrong.
    "06-spread": (
        "my_results, my_local_results = {}, {}\n"
        "my_queue = RemoteInferQueue(urls, MODEL_NAME, jobs=4)\n"
        "my_queue.set_callback(\n"
        "    lambda result, name: my_results.update({name: result.as_numpy(OUTPUT_NAME)})\n"
        ")\n"
        "local_queue = ov.AsyncInferQueue(compiled, 4)\n"
        "local_queue.set_callback(\n"
        "    lambda request, name: my_local_results.update({name: request.get_output_tensor().data})\n"
        ")\n"
        "for name, batch in photos.items():\n"
        "    await my_queue.start_async({INPUT_NAME: batch}, name)\n"
        "    local_queue.start_async({0: batch}, name)\n"
        "await my_queue.wait_all()\n"
        "local_queue.wait_all()\n"
    ),
}
