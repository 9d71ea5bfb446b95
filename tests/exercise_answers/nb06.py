"""Notebook 06: plausible wrong answers; each makes its check print ✗ (never raise)."""

WRONG = {
    # The right calls, but the cat photo where the exercise asks for the coffee one.
    "06-remote-local": (
        "compiled = models.build_static_classifier(core, paths.SHIPPED_MODEL, device.value, config)\n"
        'coffee = photos["coffee.png"]\n'
        'cat = photos["cat.png"]\n'
        "my_remote = (await client.infer(MODEL_NAME, [infer_input(cat)])).as_numpy(OUTPUT_NAME)\n"
        "my_local = compiled.create_infer_request().infer({0: cat})[0]\n"
    ),
    # Right results, but every request went to the first replica only.
    "06-spread": (
        "my_results = {}\n"
        "my_queue = RemoteInferQueue(urls[:1], MODEL_NAME, jobs=4)\n"
        "my_queue.set_callback(\n"
        "    lambda result, name: my_results.update({name: result.as_numpy(OUTPUT_NAME)})\n"
        ")\n"
        "for name, batch in photos.items():\n"
        "    await my_queue.start_async({INPUT_NAME: batch}, name)\n"
        "await my_queue.wait_all()\n"
    ),
}
