// photospots patch: the same steps as upstream's async applyRateLimit, but a
// value that is not a promise (a synchronous key generator, limit or store)
// is used at once instead of awaited, and the route hook is a callback hook,
// so a request whose steps are all synchronous is limited without a microtask
// per step. Promises are still awaited; errors take the same paths. Header
// values are set as strings: Node validates a number header value through a
// slow path (a RegExp test on a non-string) on every response.
function settleValue (value, next, fail) {
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    value.then(next, fail)
  } else {
    next(value)
  }
}

function applyRateLimitCallback (pluginComponent, params, req, callOptions, answer) {
  const { store } = pluginComponent
  // As a rejected promise would: a falsy error still fails the request.
  const cb = (err, result) => err === null ? answer(null, result) : answer(err || new Error('Rate limit check failed'))
  let key
  let max

  const call = (fn, args, next) => {
    let value
    try {
      value = fn(...args)
    } catch (err) {
      cb(err)
      return
    }
    settleValue(value, next, cb)
  }

  const withKey = (generated) => {
    key = generated
    const groupId = req.routeOptions.config?.rateLimit?.groupId

    if (groupId) {
      key += groupId
    }

    // Don't apply any rate limiting if in the allow list
    if (params.allowList) {
      if (typeof params.allowList === 'function') {
        call(params.allowList, [req, key], (allowed) => allowed ? cb(null, { isAllowed: true, key }) : withMax())
        return
      } else if (params.allowList.indexOf(key) !== -1) {
        cb(null, { isAllowed: true, key })
        return
      }
    }
    withMax()
  }

  const withMax = () => {
    if (typeof params.max === 'number') withTimeWindow(params.max)
    else call(params.max, [req, key], withTimeWindow)
  }

  const withTimeWindow = (value) => {
    max = value
    if (typeof params.timeWindow === 'number') count(params.timeWindow)
    else call(params.timeWindow, [req, key], count)
  }

  const count = (timeWindow) => {
    const storeMethod = callOptions?.increment === false ? 'read' : 'incr'

    // `{ increment: false }` requires the store to implement a non-mutating
    // `read` method. Custom stores may not, so fail fast with a clear message
    // instead of a cryptic "store[storeMethod] is not a function" TypeError.
    if (storeMethod === 'read' && typeof store.read !== 'function') {
      cb(new Error('The configured rate-limit store does not implement a `read` method, which is required to use `{ increment: false }`'))
      return
    }

    let answered = false
    const counted = (err, res) => {
      if (answered) return
      answered = true
      let current = 0
      let ttl = 0
      let ttlInSeconds = 0
      if (err) {
        if (!params.skipOnError) {
          cb(err)
          return
        }
      } else {
        current = res.current
        ttl = res.ttl
        ttlInSeconds = Math.ceil(res.ttl / 1000)
      }
      cb(null, {
        isAllowed: false,
        key,
        max,
        timeWindow,
        remaining: Math.max(0, max - current),
        ttl,
        ttlInSeconds,
        isExceeded: current > max,
        isBanned: params.ban !== -1 && current - max > params.ban
      })
    }
    try {
      store[storeMethod](key, counted, timeWindow, max)
    } catch (err) {
      if (answered) throw err
      counted(err)
    }
  }

  // Retrieve the key from the generator (the global one or the one defined in the endpoint)
  if (params.keyGenerator === defaultKeyGenerator) {
    let generated
    try {
      generated = defaultKeyGenerator(req, params.ipv6Subnet)
    } catch (err) {
      cb(err)
      return
    }
    withKey(generated)
  } else {
    call(params.keyGenerator, [req], withKey)
  }
}

function applyRateLimit (pluginComponent, params, req, callOptions) {
  return new Promise((resolve, reject) => {
    applyRateLimitCallback(pluginComponent, params, req, callOptions, (err, result) => err ? reject(err) : resolve(result))
  })
}

function rateLimitRequestHandler (pluginComponent, params) {
  const { rateLimitRan } = pluginComponent

  // (request, reply, done) for onRequest/preValidation/preHandler; (request, reply, payload, done) for preParsing.
  return function rateLimitHook (req, res, ...rest) {
    const done = rest[rest.length - 1]
    if (req[rateLimitRan]) {
      done()
      return
    }

    req[rateLimitRan] = true

    applyRateLimitCallback(pluginComponent, params, req, undefined, (err, rateLimit) => {
      if (err) {
        done(err)
        return
      }
      if (rateLimit.isAllowed) {
        done()
        return
      }

      const {
        key,
        max,
        remaining,
        ttl,
        ttlInSeconds,
        isExceeded,
        isBanned
      } = rateLimit

      if (!isExceeded) {
        if (params.addHeadersOnExceeding[params.labels.rateLimit]) { res.header(params.labels.rateLimit, String(max)) }
        if (params.addHeadersOnExceeding[params.labels.rateRemaining]) { res.header(params.labels.rateRemaining, String(remaining)) }
        if (params.addHeadersOnExceeding[params.labels.rateReset]) { res.header(params.labels.rateReset, String(ttlInSeconds)) }

        try {
          params.onExceeding(req, key)
        } catch (err) {
          done(err)
          return
        }

        done()
        return
      }

      let error
      try {
        params.onExceeded(req, key)

        if (params.addHeaders[params.labels.rateLimit]) { res.header(params.labels.rateLimit, String(max)) }
        if (params.addHeaders[params.labels.rateRemaining]) { res.header(params.labels.rateRemaining, '0') }
        if (params.addHeaders[params.labels.rateReset]) { res.header(params.labels.rateReset, String(ttlInSeconds)) }
        if (params.addHeaders[params.labels.retryAfter]) { res.header(params.labels.retryAfter, String(ttlInSeconds)) }

        const respCtx = {
          statusCode: 429,
          ban: false,
          max,
          ttl,
          after: format(ttlInSeconds * 1000, true)
        }

        if (isBanned) {
          respCtx.statusCode = 403
          respCtx.ban = true
          params.onBanReach(req, key)
        }

        error = params.errorResponseBuilder(req, respCtx)
      } catch (err) {
        error = err
      }
      done(error || new Error('Rate limit exceeded'))
    })
  }
}
