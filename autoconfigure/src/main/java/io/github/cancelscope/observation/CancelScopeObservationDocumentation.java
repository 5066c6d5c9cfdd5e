package io.github.cancelscope.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * Documentation of the observations of cancellation scopes: one per request scope, start-up
 * scope, {@link io.github.cancelscope.Scoped @Scoped} call and scope of an integration's own kind.
 */
public enum CancelScopeObservationDocumentation implements ObservationDocumentation {

	/**
	 * A scope, from the moment it opens until it has ended, forked tasks and cleanups included.
	 */
	SCOPE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultScopeObservationConvention.class;
		}

		@Override
		public KeyName[] getLowCardinalityKeyNames() {
			return LowCardinalityKeyNames.values();
		}

		@Override
		public KeyName[] getHighCardinalityKeyNames() {
			return HighCardinalityKeyNames.values();
		}

		@Override
		public Observation.Event[] getEvents() {
			return Events.values();
		}

	};

	/**
	 * Low cardinality keys of a scope observation.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/**
		 * What opened the scope: {@code request}, {@code startup}, {@code method}, or an
		 * integration's own kind.
		 */
		KIND {

			@Override
			public String asString() {
				return "cancelscope.kind";
			}

		},

		/**
		 * Name of the scope: {@code request}, the runner's class, or the {@code @Scoped} method as
		 * {@code Type.method}.
		 */
		NAME {

			@Override
			public String asString() {
				return "cancelscope.name";
			}

		},

		/**
		 * How the scope ended: {@code completed} or {@code cancelled}; {@code unknown} while it runs.
		 */
		OUTCOME {

			@Override
			public String asString() {
				return "cancelscope.outcome";
			}

		},

		/**
		 * The {@link io.github.cancelscope.CancellationReason} of a cancelled scope, otherwise
		 * {@code none}.
		 */
		REASON {

			@Override
			public String asString() {
				return "cancelscope.reason";
			}

		}

	}

	/**
	 * High cardinality keys of a scope observation.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/**
		 * Id of the scope, as in the logging MDC and the {@code cancelscope} actuator endpoint.
		 */
		SCOPE_ID {

			@Override
			public String asString() {
				return "cancelscope.scope.id";
			}

		},

		/**
		 * Description of the scope, such as {@code GET /orders/42}; its name if it was given none.
		 */
		DESCRIPTION {

			@Override
			public String asString() {
				return "cancelscope.description";
			}

		}

	}

	/**
	 * Events of a scope observation.
	 */
	public enum Events implements Observation.Event {

		/**
		 * The scope was cancelled; the event's contextual name carries the reason.
		 */
		CANCELLED {

			@Override
			public String getName() {
				return "cancelscope.cancelled";
			}

			@Override
			public String getContextualName() {
				return "cancelled";
			}

		}

	}

}
