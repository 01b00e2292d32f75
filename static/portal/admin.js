/* The portal's own admin script. Loaded after unfold's Chart.js and before unfold's app.js. */
